import { EntityManager } from '@mikro-orm/postgresql';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { sql } from '../livechat/sql';
import { CALLBACK_ON_DUTY } from './on-duty';
import type { CallbackSettings } from './settings.service';

export const SOURCES = ['widget', 'livechat', 'api'] as const;
export type Source = (typeof SOURCES)[number];
export const OUTCOMES = ['done', 'not_answered', 'wrong_number', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const STATUSES = ['waiting', 'calling', 'done', 'unreachable', 'wrong_number', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];

export interface NewRequest {
  phone: string;
  name: string;
  topic: string;
  /** A local time in the company's zone ("YYYY-MM-DDTHH:MM"), or null for as soon as possible. */
  slot: string | null;
  source: Source;
  sourcePage: string;
  consent: boolean;
}

export interface CallbackCard {
  id: number;
  phone: string;
  name: string;
  topic: string;
  preferredAt: Date | null;
  /** The company's Callback time zone: a preferred slot is a time of its working hours. */
  timeZone: string;
  source: Source;
  sourcePage: string;
  status: Status;
  attempts: number;
  consultantId: number | null;
  consultantName: string | null;
  claimedAt: Date | null;
  notBefore: Date | null;
  dueAt: Date;
  askedCount: number;
  askedAgainAt: Date | null;
  firstCallAt: Date | null;
  closedAt: Date | null;
  note: string;
  createdAt: Date;
  overdue: boolean;
  later: boolean;
}

/** What a change does to the queue's pages: the company whose consultants see it, and a chime for a new request. */
export interface CallbackChanged {
  companyId: number;
  chime?: string;
}

/** Timestamps come from the driver as text. */
export function when(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(value as string);
}

const CARD = `r.id, r.phone, r.name, r.topic, r.preferred_at,
  (select s.time_zone from callback_settings s where s.company_id = r.company_id) as time_zone, r.source, r.source_page, r.status, r.attempts, r.consultant_id, u.name as consultant_name,
  r.claimed_at, r.not_before, r.due_at, r.asked_count, r.asked_again_at, r.first_call_at, r.closed_at, r.note, r.created_at,
  (r.status = 'waiting' and r.due_at < now()) as overdue, (r.not_before is not null and r.not_before > now()) as later`;

type CardRow = Record<string, unknown>;

function card(r: CardRow): CallbackCard {
  return {
    id: r.id as number,
    phone: r.phone as string,
    name: r.name as string,
    topic: r.topic as string,
    preferredAt: when(r.preferred_at),
    timeZone: (r.time_zone as string | null) ?? 'Europe/Warsaw',
    source: r.source as Source,
    sourcePage: r.source_page as string,
    status: r.status as Status,
    attempts: r.attempts as number,
    consultantId: (r.consultant_id as number | null) ?? null,
    consultantName: (r.consultant_name as string | null) ?? null,
    claimedAt: when(r.claimed_at),
    notBefore: when(r.not_before),
    dueAt: new Date(r.due_at as string),
    askedCount: r.asked_count as number,
    askedAgainAt: when(r.asked_again_at),
    firstCallAt: when(r.first_call_at),
    closedAt: when(r.closed_at),
    note: r.note as string,
    createdAt: new Date(r.created_at as string),
    overdue: r.overdue as boolean,
    later: r.later as boolean,
  };
}

export class ClaimedByOther extends ConflictException {
  constructor(readonly by: string | null) {
    super('claimed');
  }
}

/**
 * The queue of "call me back" requests. Every state change is one conditional statement, so two consultants
 * clicking at once cannot both win: a claim is `update … where status = 'waiting'`, an outcome
 * `… where status = 'calling' and consultant_id = me`.
 */
@Injectable()
export class CallbackRequests {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
  ) {}

  /** A new request, or a repeat for a number already open joining it ("asked again at …"). */
  async take(settings: CallbackSettings, input: NewRequest): Promise<{ id: number; merged: boolean }> {
    const [row] = await sql<{ id: number; inserted: boolean }>(
      this.em,
      `insert into callback_request (company_id, phone, name, topic, preferred_at, source, source_page, consent, due_at)
       values (?, ?, ?, ?, ?::timestamp at time zone ?, ?, ?, ?, coalesce(?::timestamp at time zone ?, now()) + make_interval(mins => ?))
       on conflict (company_id, phone) where status in ('waiting', 'calling')
       do update set asked_count = callback_request.asked_count + 1, asked_again_at = now(),
          name = case when callback_request.name = '' then excluded.name else callback_request.name end,
          topic = case when callback_request.topic = '' then excluded.topic else callback_request.topic end
       returning id, (xmax = 0) as inserted`,
      [
        settings.companyId,
        input.phone,
        input.name,
        input.topic,
        input.slot,
        settings.timeZone,
        input.source,
        input.sourcePage.slice(0, 2000),
        input.consent,
        input.slot,
        settings.timeZone,
        settings.slaMinutes,
      ],
    );
    this.events.emit('callback.changed', { companyId: settings.companyId, chime: row.inserted ? `new:${row.id}` : `again:${row.id}:${Date.now()}` });
    return { id: row.id, merged: !row.inserted };
  }

  /** The open requests: the most urgent (overdue first, by due time) on top, the ones coming back later at the end. */
  async queue(companyId: number): Promise<CallbackCard[]> {
    const rows = await sql<CardRow>(
      this.em,
      `select ${CARD} from callback_request r left join app_user u on u.id = r.consultant_id and u.company_id = r.company_id
        where r.company_id = ? and r.status in ('waiting', 'calling')
        order by (r.not_before is not null and r.not_before > now()), r.due_at, r.id limit 300`,
      [companyId],
    );
    return rows.map(card);
  }

  async byId(companyId: number, id: number): Promise<CallbackCard> {
    const [row] = await sql<CardRow>(
      this.em,
      `select ${CARD} from callback_request r left join app_user u on u.id = r.consultant_id and u.company_id = r.company_id where r.company_id = ? and r.id = ?`,
      [companyId, id],
    );
    if (!row) throw new NotFoundException();
    return card(row);
  }

  /** "I am calling": exactly one of any number of consultants clicking at once gets the request. */
  async claim(settings: CallbackSettings, id: number, userId: number): Promise<void> {
    const won = await sql(
      this.em,
      `update callback_request set status = 'calling', consultant_id = ?, claimed_at = now(), claim_deadline = now() + make_interval(secs => ?),
              first_call_at = coalesce(first_call_at, now())
        where company_id = ? and id = ? and status = 'waiting' and (not_before is null or not_before <= now())
        returning id`,
      [userId, settings.claimSeconds, settings.companyId, id],
    );
    if (won.length) return void this.events.emit('callback.changed', { companyId: settings.companyId });
    const current = await this.byId(settings.companyId, id);
    throw new ClaimedByOther(current.status === 'calling' ? current.consultantName : null);
  }

  /** The claimer's outcome; "not answered" puts it back after the delay, or closes it as unreachable after the last attempt. */
  async outcome(settings: CallbackSettings, id: number, userId: number, outcome: Outcome, note: string): Promise<Status> {
    const [row] = await sql<{ status: Status }>(
      this.em,
      `update callback_request set
          attempts = attempts + 1,
          status = case when ? <> 'not_answered' then ? when attempts + 1 >= ? then 'unreachable' else 'waiting' end,
          consultant_id = case when ? = 'not_answered' and attempts + 1 < ? then null else consultant_id end,
          claim_deadline = null,
          not_before = case when ? = 'not_answered' and attempts + 1 < ? then now() + make_interval(secs => ?) end,
          due_at = case when ? = 'not_answered' and attempts + 1 < ? then now() + make_interval(secs => ?) + make_interval(mins => ?) else due_at end,
          closed_at = case when ? = 'not_answered' and attempts + 1 < ? then null else now() end,
          note = case when ? <> '' then ? else note end
        where company_id = ? and id = ? and status = 'calling' and consultant_id = ?
        returning status`,
      [
        outcome,
        outcome,
        settings.maxAttempts,
        outcome,
        settings.maxAttempts,
        outcome,
        settings.maxAttempts,
        settings.retrySeconds,
        outcome,
        settings.maxAttempts,
        settings.retrySeconds,
        settings.slaMinutes,
        outcome,
        settings.maxAttempts,
        note,
        note,
        settings.companyId,
        id,
        userId,
      ],
    );
    if (!row) {
      const current = await this.byId(settings.companyId, id);
      throw new ClaimedByOther(current.status === 'calling' ? current.consultantName : null);
    }
    this.events.emit('callback.changed', { companyId: settings.companyId });
    return row.status;
  }

  /** Claims of a company whose consultant is no longer on duty go back to the queue at once. */
  async releaseGone(companyId: number): Promise<boolean> {
    const rows = await sql(
      this.em,
      `update callback_request r set status = 'waiting', consultant_id = null, claim_deadline = null, claimed_at = null
        where r.company_id = ? and r.status = 'calling'
          and not exists (select 1 from app_user u where u.id = r.consultant_id and u.company_id = r.company_id and ${CALLBACK_ON_DUTY})
        returning r.id`,
      [companyId],
    );
    if (rows.length) this.events.emit('callback.changed', { companyId });
    return rows.length > 0;
  }

  /** Requests made today (in the server's day) by a company: its daily limit. */
  async countToday(companyId: number): Promise<number> {
    const [row] = await sql<{ n: number }>(
      this.em,
      `select count(*)::int as n from callback_request where company_id = ? and created_at >= date_trunc('day', now())`,
      [companyId],
    );
    return row.n;
  }
}
