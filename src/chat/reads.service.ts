import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, NotFoundException, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { User } from '../accounts/user.entity';
import type { Knex } from 'knex';
import { forCompany } from '../database/background-work';
import { direct } from '../database/prepared';
import { Audience, AudienceJson, audienceFromJson, UNREAD_CAP } from './audience';
import { scopedCompanyId } from '../database/company-scope';
import type { ConversationMember } from './conversation-member.entity';

/** Readers of one conversation whose pointers moved at once (reads that came together are stored together). */
export interface ChatReadEvent {
  companyId: number;
  conversationId: number;
  readers: Reader[];
  /** The conversation's audience after these reads, when the statement that stored them read it too. */
  audience?: Audience;
}

export interface Reader {
  userId: number;
  fromId: number;
  toId: number;
  /** Pages that read and cleared their own badge: they need no badge push when nothing is left unread. */
  quietSocketIds: string[];
}

/** Reads that arrive within this long of each other are stored in one statement and pushed as one change. */
const READ_BATCH_MS = 25;

interface QueuedRead {
  conversationId: number;
  userId: number;
  upTo: number;
  quietSocketIds: string[];
  done: (() => void)[];
}

/**
 * Reads that came together, stored in one statement: each pointer moves forward only, never past the
 * conversation's newest message, and a non-member's read moves nothing. The same statement reads the audience
 * of every conversation whose pointers moved (as in audienceOf: members, Offline, muted, the messages some
 * member has not read), as its snapshot saw it, before these reads: the push applies them and needs no statement.
 */
const READS_SQL = `with req as (
    select * from json_to_recordset($1::json) as r(conversation_id int, user_id int, upto bigint)
  ), target as (
    select r.conversation_id, r.user_id,
           least(r.upto, coalesce((select max(m.id) from message m where m.conversation_id = r.conversation_id and m.company_id = $2), 0)) as upto
      from req r
  ), old as (
    select cm.conversation_id, cm.user_id, cm.last_read_message_id as before
      from conversation_member cm join target t on t.conversation_id = cm.conversation_id and t.user_id = cm.user_id
     where cm.company_id = $2
  ), moved as (
    update conversation_member cm set last_read_message_id = t.upto
      from target t join old o on o.conversation_id = t.conversation_id and o.user_id = t.user_id
     where cm.conversation_id = t.conversation_id and cm.user_id = t.user_id and cm.company_id = $2 and t.upto > cm.last_read_message_id
    returning cm.conversation_id, cm.user_id, o.before, cm.last_read_message_id as after
  )
  select conversation_id, user_id, before, after, null::text as kind, null::json as members, null::json as newest from moved
  union all
  select c.id, null, null, null, c.kind,
         (select json_agg(json_build_array(cm.user_id, u.name, cm.last_read_message_id, coalesce(p.status = 'offline', false), cm.muted) order by u.name)
            from conversation_member cm
            join app_user u on u.id = cm.user_id and u.company_id = cm.company_id
            left join presence p on p.user_id = cm.user_id and p.company_id = cm.company_id
           where cm.conversation_id = c.id and cm.company_id = $2),
         (select json_agg(json_build_array(n.id, n.author_id) order by n.id desc) from (
            select id, author_id from message
             where conversation_id = c.id and company_id = $2 and deleted_at is null
               and id > (select coalesce(min(last_read_message_id), 0) from conversation_member where conversation_id = c.id and company_id = $2)
             order by id desc limit ${UNREAD_CAP}) n)
    from conversation c where c.company_id = $2 and c.id in (select conversation_id from moved)`;

interface ReadRow {
  conversation_id: number;
  user_id: number | null;
  before: string | null;
  after: string | null;
  kind: Audience['kind'] | null;
  members: AudienceJson['members'] | null;
  newest: AudienceJson['newest'] | null;
}

/** The audience the statement read, with the readers' pointers where they moved to. */
function audienceAfter(row: ReadRow | undefined, readers: Reader[]): Audience | undefined {
  if (!row?.members) return undefined;
  const to = new Map(readers.map((r) => [r.userId, r.toId]));
  const audience = audienceFromJson(row.kind ?? 'group', row.members, row.newest);
  for (const m of audience.members) m.lastRead = Math.max(m.lastRead, to.get(m.userId) ?? 0);
  return audience;
}

/** Names shown in a tick's "read by" list; the rest are counted. */
const READERS_NAMED = 10;

/** Reading moves the member's read pointer forward only, never past the conversation's newest message. */
@Injectable()
export class ReadsService implements OnModuleDestroy {
  private readonly logger = new Logger('reads');
  private readonly queued = new Map<number, Map<string, QueuedRead>>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<unknown> | undefined;

  constructor(
    private readonly em: EntityManager,
    private readonly orm: MikroORM,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * A page's read, over its socket: stored with the others that came in the same moment, one statement per
   * company, and announced as one change per conversation. Not a member: the statement moves nothing.
   */
  queueRead(companyId: number, conversationId: number, userId: number, upTo: number, quietSocketId?: string): Promise<void> {
    let company = this.queued.get(companyId);
    if (!company) this.queued.set(companyId, (company = new Map()));
    const key = `${conversationId}:${userId}`;
    const read = company.get(key) ?? { conversationId, userId, upTo, quietSocketIds: [], done: [] };
    read.upTo = Math.max(read.upTo, upTo);
    if (quietSocketId) read.quietSocketIds.push(quietSocketId);
    company.set(key, read);
    this.timer ??= setTimeout(() => this.flush(), READ_BATCH_MS);
    return new Promise((resolve) => read.done.push(resolve));
  }

  /** Reads still waiting for their batch are stored before the database goes. */
  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.flush();
    while (this.flushing) await this.flushing;
  }

  /**
   * One batch at a time: two updating the same members' rows at once could lock them in opposite orders and
   * deadlock. What comes meanwhile waits for the next batch, which is then larger.
   */
  private flush(): void {
    this.timer = undefined;
    if (this.flushing || !this.queued.size) return;
    const batches = [...this.queued];
    this.queued.clear();
    this.flushing = Promise.all<void>(
      batches.map(([companyId, reads]) => {
        const list = [...reads.values()];
        return forCompany(this.orm, companyId, () => this.store(companyId, list))
          .catch((err: unknown) => this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err)))
          .finally(() => list.forEach((r) => r.done.forEach((done) => done())));
      }),
    ).then(() => {
      this.flushing = undefined;
      if (this.queued.size) this.flush();
    });
  }

  private async store(companyId: number, reads: QueuedRead[]): Promise<void> {
    const knex = (this.orm.em as EntityManager).getConnection().getKnex() as Knex;
    const rows = await direct<ReadRow>(knex, 'reads-batch', READS_SQL, [
      JSON.stringify(reads.map((r) => ({ conversation_id: r.conversationId, user_id: r.userId, upto: r.upTo }))),
      companyId,
    ]);
    const byConversation = new Map<number, Reader[]>();
    const audiences = new Map<number, ReadRow>();
    const quiet = new Map(reads.map((r) => [`${r.conversationId}:${r.userId}`, r.quietSocketIds]));
    for (const row of rows) {
      if (row.user_id === null) {
        audiences.set(row.conversation_id, row);
        continue;
      }
      const readers = byConversation.get(row.conversation_id) ?? [];
      readers.push({
        userId: row.user_id,
        fromId: Number(row.before),
        toId: Number(row.after),
        quietSocketIds: quiet.get(`${row.conversation_id}:${row.user_id}`) ?? [],
      });
      byConversation.set(row.conversation_id, readers);
    }
    for (const [conversationId, readers] of byConversation) {
      const audience = audienceAfter(audiences.get(conversationId), readers);
      this.events.emit('chat.read', { companyId, conversationId, readers, audience } satisfies ChatReadEvent);
    }
  }

  async markRead(membership: Pick<ConversationMember, 'conversation' | 'user' | 'company'>, upToId: number): Promise<void> {
    const conversationId = membership.conversation.id;
    const userId = membership.user.id;
    const companyId = membership.company.id;
    const [row] = await this.em.getConnection().execute<{ before: string; after: string }[]>(
      `with target as (
         select least(?::bigint, coalesce((select max(id) from message where conversation_id = ? and company_id = ?), 0)) as upto
       ), old as (
         select last_read_message_id as before from conversation_member where conversation_id = ? and user_id = ? and company_id = ?
       )
       update conversation_member cm set last_read_message_id = greatest(cm.last_read_message_id, target.upto)
       from target, old
       where cm.conversation_id = ? and cm.user_id = ? and cm.company_id = ?
       returning old.before, cm.last_read_message_id as after`,
      [upToId, conversationId, companyId, conversationId, userId, companyId, conversationId, userId, companyId],
    );
    if (!row || Number(row.after) <= Number(row.before)) return;
    const reader: Reader = { userId, fromId: Number(row.before), toId: Number(row.after), quietSocketIds: [] };
    this.events.emit('chat.read', { companyId, conversationId, readers: [reader] } satisfies ChatReadEvent);
  }

  /** Who of the other members has read a message of a conversation the user belongs to (else 404). */
  async readers(user: Pick<User, 'id'>, messageId: number): Promise<{ names: string[]; more: number; read: boolean }> {
    const rows = await this.em.getConnection().execute<{ name: string | null; has_read: boolean; visible: boolean }[]>(
      `select u.name, cm.last_read_message_id >= m.id as has_read,
              exists (select 1 from conversation_member me where me.conversation_id = m.conversation_id and me.user_id = ? and me.company_id = m.company_id) as visible
         from message m
         left join conversation_member cm on cm.conversation_id = m.conversation_id and cm.company_id = m.company_id
                                         and cm.user_id is distinct from m.author_id
         left join app_user u on u.id = cm.user_id and u.company_id = m.company_id
        where m.id = ? and m.company_id = ?
        order by u.name`,
      [user.id, messageId, scopedCompanyId(this.em)],
    );
    if (!rows.length || !rows[0].visible) throw new NotFoundException();
    const others = rows.filter((r) => r.name !== null);
    const readers = others.filter((r) => r.has_read).map((r) => r.name!);
    return {
      names: readers.slice(0, READERS_NAMED),
      more: Math.max(0, readers.length - READERS_NAMED),
      read: others.length > 0 && readers.length === others.length,
    };
  }
}
