import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Company } from '../accounts/company.entity';
import { User } from '../accounts/user.entity';
import { scopedCompanyId } from '../database/company-scope';
import { prepared } from '../database/prepared';
import { allowedStatuses, isStatus, Shown, shownStatus, Status } from './statuses';

/** A socket not refreshed for this long belongs to an instance that died; it no longer keeps its user online. */
export const SOCKET_STALE_SECONDS = 45;

export interface PresenceChanged {
  companyId: number;
  userId: number;
  shown: Shown;
  status: Status;
}

export interface PresenceRow {
  status: Status;
  shown: Shown;
  lastSeenAt: Date | null;
}

/**
 * Who is online lives in PostgreSQL (one row per open socket, refreshed by its instance), so every instance
 * agrees. A change of what others see is announced once: the row's `shown` column is swapped atomically.
 */
@Injectable()
export class PresenceService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
  ) {}

  /** Everyone's status in a company, for the panel: one query. */
  async forCompany(companyId: number): Promise<Map<number, PresenceRow>> {
    const rows = await this.em.getConnection().execute<{ id: number; status: Status | null; online: boolean; last_seen_at: Date | null }[]>(
      `select u.id, p.status, p.last_seen_at,
              exists (select 1 from presence_socket s
                       where s.user_id = u.id and s.company_id = u.company_id and s.seen_at > now() - make_interval(secs => ?)) as online
         from app_user u left join presence p on p.user_id = u.id and p.company_id = u.company_id
        where u.company_id = ? and u.active`,
      [SOCKET_STALE_SECONDS, companyId],
    );
    return new Map(
      rows.map((r) => [r.id, { status: r.status ?? 'available', shown: shownStatus(r.status ?? 'available', r.online), lastSeenAt: asDate(r.last_seen_at) }]),
    );
  }

  /** A user's presence; the company is the one this request (or background work) is scoped to unless given. */
  async of(userId: number, companyId: number = scopedCompanyId(this.em)): Promise<PresenceRow> {
    const [row] = await prepared<{ status: Status | null; online: boolean; last_seen_at: Date | null }>(
      this.em,
      'presence-of',
      `select p.status, p.last_seen_at,
              exists (select 1 from presence_socket s
                       where s.user_id = ? and s.company_id = ? and s.seen_at > now() - make_interval(secs => ?::int)) as online
         from (select ?::int as user_id) u left join presence p on p.user_id = u.user_id and p.company_id = ?::int`,
      [userId, companyId, SOCKET_STALE_SECONDS, userId, companyId],
    );
    const status = row?.status ?? 'available';
    return { status, shown: shownStatus(status, !!row?.online), lastSeenAt: asDate(row?.last_seen_at) };
  }

  /** Users whose chosen status is Offline: they get no chat pushes. */
  async offlineAmong(userIds: number[]): Promise<Set<number>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.em
      .getConnection()
      .execute<{ user_id: number }[]>(`select user_id from presence where company_id = ? and status = 'offline' and user_id = any(?::int[])`, [
        scopedCompanyId(this.em),
        `{${userIds.join(',')}}`,
      ]);
    return new Set(rows.map((r) => r.user_id));
  }

  /** Null when the status is not one this user may choose. */
  async choose(user: User, company: Company, status: unknown): Promise<Status | null> {
    if (!isStatus(status) || !allowedStatuses(user, company).includes(status)) return null;
    const [row] = await this.em.getConnection().execute<{ before: Status | null }[]>(
      `with old as (select status as before from presence where user_id = ? and company_id = ?)
       insert into presence (user_id, company_id, status) values (?, ?, ?)
       on conflict (user_id) do update set status = excluded.status
       returning (select before from old)`,
      [user.id, company.id, user.id, company.id, status],
    );
    await this.announce(company.id, user.id);
    if (row?.before !== status) this.events.emit('presence.chosen', { companyId: company.id, userId: user.id, status, before: row?.before ?? 'available' });
    return status;
  }

  /** The live sockets a session holds, on every instance: a session may hold only so many. */
  async openSockets(sessionHash: string, em: EntityManager = this.em): Promise<number> {
    const [row] = await em
      .getConnection()
      .execute<{ n: number }[]>(
        `select count(*)::int as n from presence_socket /* all companies: a session's sockets, known by its hash before its company */
          where session_hash = ? and seen_at > now() - make_interval(secs => ?)`,
        [sessionHash, SOCKET_STALE_SECONDS],
      );
    return row.n;
  }

  async socketConnected(socketId: string, instanceId: string, userId: number, companyId: number, sessionHash: string): Promise<void> {
    const conn = this.em.getConnection();
    await conn.execute(
      `insert into presence_socket (socket_id, user_id, company_id, instance_id, session_hash) values (?, ?, ?, ?, ?) on conflict (socket_id) do nothing`,
      [socketId, userId, companyId, instanceId, sessionHash],
    );
    await conn.execute(
      `insert into presence (user_id, company_id, last_seen_at) values (?, ?, now()) on conflict (user_id) do update set last_seen_at = now()`,
      [userId, companyId],
    );
    await this.announce(companyId, userId);
  }

  /** The caller announces after a grace period, so that a reload (close, then open) does not flicker. */
  async socketDisconnected(socketId: string, userId: number): Promise<void> {
    const conn = this.em.getConnection();
    const [socket] = await conn.execute<{ company_id: number }[]>(
      `/* all companies: a closing socket is known by its id alone; its row tells its company */
       delete from presence_socket where socket_id = ? and user_id = ? returning company_id`,
      [socketId, userId],
    );
    if (socket) await conn.execute(`update presence set last_seen_at = now() where user_id = ? and company_id = ?`, [userId, socket.company_id]);
  }

  /** Keeps this instance's sockets fresh and forgets sockets of instances that stopped refreshing theirs. */
  async heartbeat(instanceId: string): Promise<void> {
    const conn = this.em.getConnection();
    await conn.execute(
      `/* all companies: this instance's sockets, whoever they belong to */ update presence_socket set seen_at = now() where instance_id = ?`,
      [instanceId],
    );
    const gone = await conn.execute<{ user_id: number; company_id: number }[]>(
      `/* all companies: the sockets of instances that stopped */
       delete from presence_socket where seen_at < now() - make_interval(secs => ?) returning user_id, company_id`,
      [SOCKET_STALE_SECONDS],
    );
    // Anyone still shown online without a live socket (say, their instance stopped between a disconnect and
    // its grace timer) is announced again, so nobody stays green by accident.
    const stuck = await conn.execute<{ user_id: number; company_id: number }[]>(
      `/* all companies: anyone still shown online without a live socket */
       select p.user_id, p.company_id from presence p
        where p.shown <> 'offline'
          and not exists (select 1 from presence_socket s
                           where s.user_id = p.user_id and s.company_id = p.company_id and s.seen_at > now() - make_interval(secs => ?))`,
      [SOCKET_STALE_SECONDS],
    );
    for (const row of new Map([...gone, ...stuck].map((g) => [g.user_id, g])).values()) await this.announce(row.company_id, row.user_id);
  }

  async forgetInstance(instanceId: string): Promise<void> {
    await this.em
      .getConnection()
      .execute(`/* all companies: this instance's sockets, as it stops */ delete from presence_socket where instance_id = ?`, [instanceId]);
  }

  /** Recomputes what others see of a user and, if it changed, tells everyone once. */
  async announce(companyId: number, userId: number): Promise<void> {
    const now = await this.of(userId, companyId);
    const [changed] = await this.em
      .getConnection()
      .execute<{ user_id: number }[]>(`update presence set shown = ? where user_id = ? and company_id = ? and shown <> ? returning user_id`, [
        now.shown,
        userId,
        companyId,
        now.shown,
      ]);
    if (changed) this.events.emit('presence.changed', { companyId, userId, shown: now.shown, status: now.status } satisfies PresenceChanged);
  }
}

function asDate(value: Date | string | null | undefined): Date | null {
  return value ? new Date(value) : null;
}
