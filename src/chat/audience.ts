import { EntityManager } from '@mikro-orm/postgresql';
import type { ReadState } from './message.view';

/** A member as a push needs them: the read pointer (for ticks and unread counts) and whether they chose Offline. */
export interface AudienceMember {
  userId: number;
  name: string;
  lastRead: number;
  offline: boolean;
}

/** Unread counts stop here; the badge shows 99+ from 100 on. */
export const UNREAD_CAP = 100;

export interface Audience {
  kind: 'direct' | 'group';
  members: AudienceMember[];
}

/** A conversation's kind and every member, in one statement however large the group (no entities: a push only reads them). */
export async function audienceOf(em: EntityManager, companyId: number, conversationId: number): Promise<Audience> {
  const rows = await em.getConnection().execute<{ kind: Audience['kind']; user_id: number; name: string; last_read: string; offline: boolean }[]>(
    `select c.kind, cm.user_id, u.name, cm.last_read_message_id as last_read, coalesce(p.status = 'offline', false) as offline
       from conversation c
       join conversation_member cm on cm.conversation_id = c.id
       join app_user u on u.id = cm.user_id
       left join presence p on p.user_id = cm.user_id
      where c.company_id = ? and c.id = ?
      order by u.name`,
    [companyId, conversationId],
  );
  return {
    kind: rows[0]?.kind ?? 'group',
    members: rows.map((r) => ({ userId: r.user_id, name: r.name, lastRead: Number(r.last_read), offline: r.offline })),
  };
}

export function readStateOfAudience(members: AudienceMember[]): ReadState {
  return { members: members.map(({ userId, name, lastRead }) => ({ userId, name, lastRead })) };
}

/**
 * Each reader's unread count in one conversation, from one scan of its newest messages (at most UNREAD_CAP of
 * them), so a push to a group of a thousand costs one short index scan rather than a count per member.
 */
export async function unreadCounts(em: EntityManager, conversationId: number, readers: { userId: number; lastRead: number }[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (readers.length === 0) return counts;
  const floor = Math.min(...readers.map((r) => r.lastRead));
  const rows = await em
    .getConnection()
    .execute<{ id: string; author_id: number | null }[]>(
      `select id, author_id from message where conversation_id = ? and id > ? and deleted_at is null order by id desc limit ${UNREAD_CAP}`,
      [conversationId, floor],
    );
  const newest = rows.map((r) => ({ id: Number(r.id), authorId: r.author_id }));
  for (const reader of readers) {
    let count = 0;
    let seen = 0;
    for (const m of newest) {
      if (m.id <= reader.lastRead) break;
      seen++;
      if (m.authorId !== reader.userId) count++;
    }
    // Read before all of the scan: there are at least as many as it holds.
    counts.set(reader.userId, seen === UNREAD_CAP ? UNREAD_CAP : count);
  }
  return counts;
}
