import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Knex } from 'knex';
import { plansIncluding } from '../accounts/plans';
import { direct } from '../database/prepared';
import { textArray } from '../database/text-array';
import { Audience, AudienceJson, audienceFromJson, UNREAD_CAP } from './audience';
import type { ConversationKind } from './conversation.entity';
import { recordQuery, RecordRow } from './message-records';

const HELP_PLANS = textArray(plansIncluding('help'));

/** One send as the batch stores it: who, where, and what. */
export interface BatchedSend {
  companyId: number;
  conversationId: number;
  authorId: number | null;
  clientId: string;
  body: string;
  replyToId: number | null;
  /** A member's send: stored only if they are a member who is not Offline. */
  mustBeMember: boolean;
  displayName: string | null;
  supportAgentId: number | null;
  integrationId: number | null;
  integrationName: string | null;
}

/** A stored send: its row, its author's read pointer before it, and its conversation's audience right after it. */
export interface BatchedResult {
  row: RecordRow;
  readBefore: number | null;
  /** Absent when another change to the conversation committed while the batch waited: the push looks it up. */
  audience?: Audience;
}

/** A batch is a statement's worth: larger ones wait for the next. */
const MAX_BATCH = 200;

type Row = RecordRow & {
  read_before: string | null;
  a_kind: ConversationKind | null;
  a_complete: boolean | null;
  a_members: AudienceJson['members'] | null;
  a_newest: AudienceJson['newest'];
};

/**
 * Every send of a batch in one statement (so one round trip and one commit): the checks of the single send
 * (not stored before under its client id, a Help conversation only on a plan with Help, a member who is not
 * Offline when asked), each conversation's change sequence bumped once by the number of its sends (its row
 * locked first, in id order, so two batches never wait on each other in a circle), the messages inserted in
 * the order they came with gap-free sequences, each author's read pointer moved to their newest, and the
 * messages read back as views need them, with each conversation's audience (members, read pointers, Offline,
 * muted, and its unread messages) as the statement's snapshot saw it: the push needs no statement of its own.
 * That snapshot is complete only when no other change to the conversation committed between it and the lock
 * (`a_complete`: the sequence it saw is the one the batch started from).
 */
const BATCH_SQL = `with req as (
    select * from json_to_recordset($1::json) as r(i int, conversation_id int, author_id int, client_id uuid, body text, reply_to_id bigint,
      must_be_member boolean, display_name text, support_agent_id int, integration_id int, integration_name text)
  ), allowed as (
    select r.* from req r join conversation c on c.id = r.conversation_id and c.company_id = $2
     where not exists (select 1 from message m where m.conversation_id = r.conversation_id and m.company_id = $2 and m.client_id = r.client_id)
       and (c.kind <> 'help' or exists (select 1 from company where id = $2 and plan = any($3::text[])))
       and (not r.must_be_member or exists (
         select 1 from conversation_member cm left join presence p on p.user_id = cm.user_id and p.company_id = cm.company_id
          where cm.conversation_id = r.conversation_id and cm.user_id = r.author_id and cm.company_id = $2 and p.status is distinct from 'offline'))
  ), counted as (
    select conversation_id, count(*)::int as n from allowed group by conversation_id
  ), locked as materialized (
    select c.id from conversation c where c.company_id = $2 and c.id in (select conversation_id from counted) order by c.id for update
  ), bumped as (
    update conversation c set change_seq = c.change_seq + k.n, last_message_at = now()
      from counted k
     where c.id = k.conversation_id and c.company_id = $2 and c.id = any((select array_agg(id) from locked)::int[])
    returning c.id, c.change_seq, k.n
  ), stored as (
    insert into message (company_id, conversation_id, author_id, client_id, body, reply_to_id, created_at, seq, api_token_id, display_name, support_agent_id, integration_id, integration_name)
    select $2, a.conversation_id, a.author_id, a.client_id, a.body,
           (select r.id from message r where r.id = a.reply_to_id and r.conversation_id = a.conversation_id and r.company_id = $2 and r.deleted_at is null),
           now(), b.change_seq - b.n + row_number() over (partition by a.conversation_id order by a.i), null,
           a.display_name, a.support_agent_id, a.integration_id, a.integration_name
      from allowed a join bumped b on b.id = a.conversation_id
     order by a.i
    on conflict (conversation_id, client_id) do nothing
    returning *
  ), moved as (
    select conversation_id, author_id, max(id) as id from stored where author_id is not null group by conversation_id, author_id
  ), read as (
    update conversation_member cm set last_read_message_id = greatest(cm.last_read_message_id, mv.id)
      from moved mv where cm.conversation_id = mv.conversation_id and cm.user_id = mv.author_id and cm.company_id = $2
  ), audience as (
    select c.id, c.kind, b.change_seq - b.n = c.change_seq as complete,
           (select json_agg(json_build_array(cm.user_id, u.name, cm.last_read_message_id, coalesce(p.status = 'offline', false), cm.muted) order by u.name)
              from conversation_member cm
              join app_user u on u.id = cm.user_id and u.company_id = cm.company_id
              left join presence p on p.user_id = cm.user_id and p.company_id = cm.company_id
             where cm.conversation_id = c.id and cm.company_id = $2) as members,
           (select json_agg(json_build_array(n.id, n.author_id) order by n.id desc) from (
              select id, author_id from message
               where conversation_id = c.id and company_id = $2 and deleted_at is null
                 and id > (select coalesce(min(last_read_message_id), 0) from conversation_member where conversation_id = c.id and company_id = $2)
               order by id desc limit ${UNREAD_CAP}) n) as newest
      from conversation c join bumped b on b.id = c.id
     where c.company_id = $2
  )
  ${recordQuery(
    `select s.*,
            (select last_read_message_id from conversation_member where conversation_id = s.conversation_id and user_id = s.author_id and company_id = $2) as read_before,
            au.kind as a_kind, au.complete as a_complete,
            case when s.id = min(s.id) over (partition by s.conversation_id) then au.members end as a_members,
            case when s.id = min(s.id) over (partition by s.conversation_id) then au.newest end as a_newest
       from stored s join audience au on au.id = s.conversation_id`,
    'm.id',
    ', m.read_before, m.a_kind, m.a_complete, m.a_members, m.a_newest',
  ).replace(/\?/g, '$2')}`;

interface Waiting {
  send: BatchedSend;
  done: (result: BatchedResult | null) => void;
  failed: (err: unknown) => void;
}

/**
 * Sends that arrive together are stored together: the first waits for the end of the tick, and while a
 * company's batch runs, its next sends gather for the one after it. A lone send costs what it did; under load
 * a statement and a commit serve many (PostgreSQL's cost per commit and per statement dwarfs a row's).
 * One batch at a time per company, so a company's messages are numbered in the order they arrived.
 */
@Injectable()
export class MessageBatch {
  private readonly waiting = new Map<number, Waiting[]>();
  private readonly running = new Set<number>();

  constructor(private readonly orm: MikroORM) {}

  /** Null: nothing stored (stored before under its client id, or the sender may not send here): the caller finds out which. */
  store(send: BatchedSend): Promise<BatchedResult | null> {
    return new Promise((done, failed) => {
      let queue = this.waiting.get(send.companyId);
      if (!queue) {
        this.waiting.set(send.companyId, (queue = []));
        if (!this.running.has(send.companyId)) setImmediate(() => void this.flush(send.companyId));
      }
      queue.push({ send, done, failed });
    });
  }

  private async flush(companyId: number): Promise<void> {
    const queue = this.waiting.get(companyId);
    if (!queue?.length) return;
    const batch = queue.splice(0, MAX_BATCH);
    if (!queue.length) this.waiting.delete(companyId);
    this.running.add(companyId);
    try {
      await this.run(companyId, batch).catch(async (err: unknown) => {
        if (batch.length === 1) throw err;
        // One send the statement cannot take fails alone: the others are stored one by one.
        for (const w of batch) await this.run(companyId, [w]).catch((one: unknown) => w.failed(one));
      });
    } catch (err) {
      for (const w of batch) w.failed(err);
    } finally {
      this.running.delete(companyId);
      if (this.waiting.has(companyId)) void this.flush(companyId);
    }
  }

  private async run(companyId: number, batch: Waiting[]): Promise<void> {
    // The same client id twice in one batch is stored once; the other finds it stored, as a retry would.
    const seen = new Set<string>();
    const unique = batch.filter(({ send }) => {
      const key = `${send.conversationId}:${send.clientId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const first = new Set(unique);
    const requests = unique.map(({ send }, i) => ({
      i,
      conversation_id: send.conversationId,
      author_id: send.authorId,
      client_id: send.clientId,
      body: send.body,
      reply_to_id: send.replyToId,
      must_be_member: send.mustBeMember,
      display_name: send.displayName,
      support_agent_id: send.supportAgentId,
      integration_id: send.integrationId,
      integration_name: send.integrationName,
    }));
    const knex = (this.orm.em as EntityManager).getConnection().getKnex() as Knex;
    const rows = await direct<Row>(knex, 'message-batch', BATCH_SQL, [JSON.stringify(requests), companyId, HELP_PLANS]);
    const results = resultsOf(rows);
    for (const w of batch) w.done((first.has(w) && results.get(`${w.send.conversationId}:${w.send.clientId}`)) || null);
  }
}

/**
 * Each stored message with its author's pointer before it and its conversation's audience just after it, as
 * if the batch's messages had been sent one after another: the later ones are among the unread of the earlier
 * ones' audiences only from their own on, and each author's pointer moves with their own messages.
 */
function resultsOf(rows: Row[]): Map<string, BatchedResult> {
  const results = new Map<string, BatchedResult>();
  const byConversation = new Map<number, Row[]>();
  for (const row of rows) {
    const list = byConversation.get(row.conversation_id) ?? [];
    list.push(row);
    byConversation.set(row.conversation_id, list);
  }
  for (const list of byConversation.values()) {
    list.sort((a, b) => Number(a.id) - Number(b.id));
    const [first] = list;
    const complete = !!first.a_complete && first.a_members !== null;
    let { members, newest } = audienceFromJson(first.a_kind ?? 'group', first.a_members ?? [], first.a_newest);
    const pointers = new Map<number, number>();
    for (const row of list) {
      const id = Number(row.id);
      const authorId = row.author_id;
      let readBefore: number | null = null;
      if (authorId !== null && row.read_before !== null) {
        readBefore = Math.max(Number(row.read_before), pointers.get(authorId) ?? 0);
        pointers.set(authorId, Math.max(readBefore, id));
      }
      let audience: Audience | undefined;
      if (complete) {
        newest = [{ id, authorId }, ...newest].slice(0, UNREAD_CAP);
        if (readBefore !== null) members = members.map((m) => (m.userId === authorId ? { ...m, lastRead: Math.max(m.lastRead, id) } : m));
        audience = { kind: first.a_kind ?? 'group', members, newest };
      }
      results.set(`${row.conversation_id}:${row.client_id}`, { row, readBefore, audience });
    }
  }
  return results;
}
