import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { has, Plan } from '../accounts/plans';
import { sql } from '../livechat/sql';

export interface CallbackSettings {
  companyId: number;
  enabled: boolean;
  defaultCountry: string;
  slaMinutes: number;
  retrySeconds: number;
  maxAttempts: number;
  claimSeconds: number;
  timeZone: string;
  workDays: number[];
  workStart: string;
  workEnd: string;
  dailyLimit: number;
  challengeAfter: number;
}

export type CallbackSettingsInput = Omit<CallbackSettings, 'companyId'>;

interface Row {
  company_id: number;
  enabled: boolean;
  default_country: string;
  sla_minutes: number;
  retry_seconds: number;
  max_attempts: number;
  claim_seconds: number;
  time_zone: string;
  work_days: number[];
  work_start: string;
  work_end: string;
  daily_limit: number;
  challenge_after: number;
}

const COLUMNS = `company_id, enabled, default_country, sla_minutes, retry_seconds, max_attempts, claim_seconds, time_zone, work_days, work_start, work_end,
  daily_limit, challenge_after`;

function fromRow(r: Row): CallbackSettings {
  return {
    companyId: r.company_id,
    enabled: r.enabled,
    defaultCountry: r.default_country,
    slaMinutes: r.sla_minutes,
    retrySeconds: r.retry_seconds,
    maxAttempts: r.max_attempts,
    claimSeconds: r.claim_seconds,
    timeZone: r.time_zone,
    workDays: r.work_days,
    workStart: r.work_start,
    workEnd: r.work_end,
    dailyLimit: r.daily_limit,
    challengeAfter: r.challenge_after,
  };
}

/** A company's Callback settings: made (off) the first time anyone asks for them. */
@Injectable()
export class CallbackSettingsService {
  constructor(private readonly em: EntityManager) {}

  async of(companyId: number): Promise<CallbackSettings> {
    await sql(this.em, `insert into callback_settings (company_id) values (?) on conflict (company_id) do nothing`, [companyId]);
    const [row] = await sql<Row>(this.em, `select ${COLUMNS} from callback_settings where company_id = ?`, [companyId]);
    return fromRow(row);
  }

  /** The settings of a company whose Callback takes requests now: on, and in its plan; else null. */
  async live(companyId: number): Promise<CallbackSettings | null> {
    const [company] = await sql<{ plan: Plan; api_addon: boolean }>(this.em, `select plan, api_addon from company where id = ?`, [companyId]);
    if (!company || !has({ plan: company.plan, apiAddon: company.api_addon }, 'callback')) return null;
    const settings = await this.of(companyId);
    return settings.enabled ? settings : null;
  }

  async save(companyId: number, input: CallbackSettingsInput): Promise<void> {
    await this.of(companyId);
    await sql(
      this.em,
      `update callback_settings set enabled = ?, default_country = ?, sla_minutes = ?, retry_seconds = ?, max_attempts = ?, claim_seconds = ?, time_zone = ?,
              work_days = ?::int[], work_start = ?, work_end = ?, daily_limit = ?, challenge_after = ?, updated_at = now()
        where company_id = ?`,
      [
        input.enabled,
        input.defaultCountry,
        input.slaMinutes,
        input.retrySeconds,
        input.maxAttempts,
        input.claimSeconds,
        input.timeZone,
        `{${input.workDays.join(',')}}`,
        input.workStart,
        input.workEnd,
        input.dailyLimit,
        input.challengeAfter,
        companyId,
      ],
    );
  }
}
