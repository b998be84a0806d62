import { EntityManager } from '@mikro-orm/postgresql';
import { prepared } from '../database/prepared';
import type { ConversationKind } from './conversation.entity';

/** A member as a push needs them: the read pointer (for ticks and unread counts) and whether they chose Offline. */
export interface AudienceMember {
  userId: number;
  name: string;
  lastRead: number;
  offline: boolean;
  /** Muted the conversation: its badge counts, nothing chimes or pops up. */
  muted: boolean;
}

/** Unread counts stop here; the badge shows 99+ from 100 on. */
export const UNREAD_CAP = 100;

export interface Audience {
  kind: ConversationKind;
  members: AudienceMember[];
  /** The conversation's newest messages any member has not read, newest first: at most UNREAD_CAP of them. */
  newest: { id: number; authorId: number | null }[];
}

/**
 * A conversation's kind, every member, and the newest messages any of them has not read (or had not, before a
 * read pointer that just moved from `readFrom`), in one statement however large the group (plain rows: a push
 * only reads them).
 */
export async function audienceOf(em: EntityManager, companyId: number, conversationId: number, readFrom?: number): Promise<Audience> {
  const rows = await prepared<{
    kind: Audience['kind'];
    user_id: number | null;
    name: string;
    last_read: string;
    offline: boolean;
    muted: boolean;
    message_id: string | null;
    author_id: number | null;
  }>(
    em,
    'audience',
    `with members as (
       select c.kind, cm.user_id, u.name, cm.last_read_message_id as last_read, coalesce(p.status = 'offline', false) as offline, cm.muted
         from conversation c
         join conversation_member cm on cm.conversation_id = c.id and cm.company_id = c.company_id
         join app_user u on u.id = cm.user_id and u.company_id = c.company_id
         left join presence p on p.user_id = cm.user_id and p.company_id = c.company_id
        where c.company_id = ? and c.id = ?
     ), newest as (
       select id, author_id from message
        where conversation_id = ? and company_id = ? and deleted_at is null
          and id > least(?::bigint, (select coalesce(min(last_read), 0) from members))
        order by id desc limit ${UNREAD_CAP}
     )
     select kind, user_id, name, last_read, offline, muted, null::bigint as message_id, null::int as author_id from members
     union all
     select null, null, null, null, null, null, id, author_id from newest
     order by message_id desc nulls first, name`,
    [companyId, conversationId, conversationId, companyId, readFrom ?? null],
  );
  const members = rows.filter((r) => r.user_id !== null);
  return {
    kind: members[0]?.kind ?? 'group',
    members: members.map((r) => ({ userId: r.user_id!, name: r.name, lastRead: Number(r.last_read), offline: r.offline, muted: r.muted })),
    newest: rows.filter((r) => r.message_id !== null).map((r) => ({ id: Number(r.message_id), authorId: r.author_id })),
  };
}

/** An audience as a statement returns it in two JSON columns, to fold it into a statement that does something else. */
export interface AudienceJson {
  /** [userId, name, lastRead, offline, muted] */
  members: [number, string, number | string, boolean, boolean][];
  /** [id, authorId], newest first */
  newest: [number | string, number | null][] | null;
}

export function audienceFromJson(kind: Audience['kind'], members: AudienceJson['members'], newest: AudienceJson['newest']): Audience {
  return {
    kind,
    members: members.map(([userId, name, lastRead, offline, muted]) => ({ userId, name, lastRead: Number(lastRead), offline, muted })),
    newest: (newest ?? []).map(([id, authorId]) => ({ id: Number(id), authorId })),
  };
}

/**
 * Each reader's unread count, from the audience's one scan of the newest messages, so a push to a group of a
 * thousand costs one short index scan rather than a count per member.
 */
export function unreadCounts(audience: Audience, readers: { userId: number; lastRead: number }[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const reader of readers) {
    let count = 0;
    let seen = 0;
    for (const m of audience.newest) {
      if (m.id <= reader.lastRead) break;
      seen++;
      if (m.authorId !== reader.userId) count++;
    }
    // Read before all of the scan: there are at least as many as it holds.
    counts.set(reader.userId, seen === UNREAD_CAP ? UNREAD_CAP : count);
  }
  return counts;
}
