import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { has, Plan } from '../accounts/plans';
import { textArray } from '../database/text-array';
import { newToken } from '../security/tokens';
import type { FieldMode } from './settings.form';
import type { WorkingHours } from './working-hours';

const newSecret = () => randomBytes(32).toString('hex');

export interface LivechatSettings {
  companyId: number;
  publicKey: string;
  enabled: boolean;
  title: string;
  greeting: string;
  colour: string;
  origins: string[];
  nameField: FieldMode;
  emailField: FieldMode;
  consent: string;
  offlineText: string;
  maxChats: number;
  rerouteSeconds: number;
  retentionDays: number;
  hours: WorkingHours;
  timeZone: string;
  /** Signs the e-mails a website vouches for (HMAC-SHA256, hex); shown to the company's admins only. */
  identitySecret: string;
}

export type SettingsInput = Omit<LivechatSettings, 'companyId' | 'publicKey' | 'identitySecret'>;

interface Row {
  company_id: number;
  public_key: string;
  enabled: boolean;
  title: string;
  greeting: string;
  colour: string;
  origins: string[];
  name_field: FieldMode;
  email_field: FieldMode;
  consent: string;
  offline_text: string;
  max_chats: number;
  reroute_seconds: number;
  retention_days: number;
  hours: WorkingHours;
  time_zone: string;
  identity_secret: string | null;
}

const COLUMNS = `company_id, public_key, enabled, title, greeting, colour, origins, name_field, email_field, consent, offline_text, max_chats, reroute_seconds, retention_days, hours, time_zone, identity_secret`;

function fromRow(r: Row): LivechatSettings {
  return {
    companyId: r.company_id,
    publicKey: r.public_key,
    enabled: r.enabled,
    title: r.title,
    greeting: r.greeting,
    colour: r.colour,
    origins: r.origins,
    nameField: r.name_field,
    emailField: r.email_field,
    consent: r.consent,
    offlineText: r.offline_text,
    maxChats: r.max_chats,
    rerouteSeconds: r.reroute_seconds,
    retentionDays: r.retention_days,
    hours: r.hours,
    timeZone: r.time_zone,
    identitySecret: r.identity_secret ?? '',
  };
}

/** A company's widget: made (off, with a fresh public key) the first time an admin looks at it. */
@Injectable()
export class LivechatSettingsService {
  constructor(private readonly em: EntityManager) {}

  async of(companyId: number): Promise<LivechatSettings> {
    await this.em
      .getConnection()
      .execute(`insert into livechat_settings (company_id, public_key) values (?, ?) on conflict (company_id) do nothing`, [companyId, newToken(24)]);
    // A widget made before identity verification existed gets its secret the first time it is read.
    await this.em
      .getConnection()
      .execute(`update livechat_settings set identity_secret = ? where company_id = ? and identity_secret is null`, [newSecret(), companyId]);
    const [row] = await this.em.getConnection().execute<Row[]>(`select ${COLUMNS} from livechat_settings where company_id = ?`, [companyId]);
    return fromRow(row);
  }

  /** The widget a public key names, whatever its state: the caller decides what an off widget answers. */
  async byKey(publicKey: string): Promise<LivechatSettings | null> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(publicKey)) return null;
    const [row] = await this.em
      .getConnection()
      .execute<Row[]>(
        `/* all companies: a widget is known by its public key before its company */ select ${COLUMNS} from livechat_settings where public_key = ?`,
        [publicKey],
      );
    return row ? fromRow(row) : null;
  }

  /** Whether any widget lists this website: a CORS preflight names no key. */
  async originListed(origin: string): Promise<boolean> {
    const [row] = await this.em
      .getConnection()
      .execute<{ n: number }[]>(`/* all companies: a preflight names no widget */ select count(*)::int as n from livechat_settings where ? = any(origins)`, [
        origin,
      ]);
    return row.n > 0;
  }

  /** The widget of a key, only while it is on and its company's plan has Livechat: else there is no widget. */
  async live(publicKey: unknown): Promise<LivechatSettings | null> {
    if (typeof publicKey !== 'string') return null;
    const settings = await this.byKey(publicKey);
    if (!settings?.enabled) return null;
    const [company] = await this.em
      .getConnection()
      .execute<{ plan: Plan; api_addon: boolean }[]>(`select plan, api_addon from company where id = ?`, [settings.companyId]);
    return company && has({ plan: company.plan, apiAddon: company.api_addon }, 'livechat') ? settings : null;
  }

  async save(companyId: number, input: SettingsInput): Promise<void> {
    await this.of(companyId);
    await this.em.getConnection().execute(
      `update livechat_settings set enabled = ?, title = ?, greeting = ?, colour = ?, origins = ?::text[], name_field = ?, email_field = ?, consent = ?,
              offline_text = ?, max_chats = ?, reroute_seconds = ?, retention_days = ?, hours = ?::jsonb, time_zone = ?, updated_at = now()
        where company_id = ?`,
      [
        input.enabled,
        input.title,
        input.greeting,
        input.colour,
        textArray(input.origins),
        input.nameField,
        input.emailField,
        input.consent,
        input.offlineText,
        input.maxChats,
        input.rerouteSeconds,
        input.retentionDays,
        input.hours ? JSON.stringify(input.hours) : null,
        input.timeZone,
        companyId,
      ],
    );
  }

  /** A new identity secret: what the website signed with the old one is no longer taken as verified. */
  async regenerateSecret(companyId: number): Promise<void> {
    await this.of(companyId);
    await this.em
      .getConnection()
      .execute(`update livechat_settings set identity_secret = ?, updated_at = now() where company_id = ?`, [newSecret(), companyId]);
  }
}
