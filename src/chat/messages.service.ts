import { EntityManager } from '@mikro-orm/postgresql';
import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { plansIncluding } from '../accounts/plans';
import type { User } from '../accounts/user.entity';
import { scopedCompanyId } from '../database/company-scope';
import { prepared } from '../database/prepared';
import { textArray } from '../database/text-array';
import { isManager } from './group-rights';
import { messageById, messageByClientId, messagesBefore, messagesChangedSince, messagesFrom, recordOf, recordQuery, RecordRow } from './message-records';
import type { MessageRecord } from './message.view';
import { objectRefsIn } from './object-links';
import { MessageEdits } from './message-edits';
import { MessageBatch } from './message-batch';
import type { Audience } from './audience';

/**
 * Who sends: a member (from a page's socket, whose copy comes with its acknowledgement), or an integration
 * posting with its group's API token under a display name, or one of the operator's support agents answering in
 * a Help conversation (from outside its company, so under their name rather than as its member).
 */
export type Sender =
  | { user: Pick<User, 'id'>; socketId?: string; mustBeMember?: boolean }
  | { integrationId: number; integrationName: string; displayName: string | null }
  | { supportAgentId: number; displayName: string };

/** Nothing stored for a sender that had to be a member and not Offline: the caller finds out which it was not. */
export class NotStored extends Error {}

export const PAGE_SIZE = 50;
export const CATCH_UP_LIMIT = 500;
/** A page opened at a message (from search) shows it and everything after it, up to this many. */
export const JUMP_LIMIT = 500;
/** Messages shown on each side of one read in its context. */
const AROUND = 15;
const JUMP_CONTEXT = 10;

/** A Help conversation takes messages only while its company's plan has Help chat (a downgrade keeps it, hidden). */
const HELP_PLANS = textArray(plansIncluding('help'));

export interface ChatMessageEvent {
  companyId: number;
  conversationId: number;
  messageId: number;
  kind: 'created' | 'edited' | 'deleted';
  /** The message as it is after this change, as its views need it. */
  record: MessageRecord;
  /** A new message moved its sender's read pointer on from here: the ticks of what it read may turn green. */
  readBefore?: number;
  /** The socket the message was sent from: it has the message from its acknowledgement. */
  originSocketId?: string;
  /** The conversation's audience right after a new message, when the statement that stored it read it too. */
  audience?: Audience;
}

/** The conversation a message goes to, as the membership check found it. */
export interface Target {
  id: number;
  companyId: number;
}

/**
 * Stores a message once per client id in one statement: it checks (when asked) that the sender is a member who
 * is not Offline, bumps the conversation's change sequence (whose row lock also orders the sends), inserts the
 * message with a reply only to a live message of the same conversation, moves the sender's read pointer, and
 * reads the message back as its views need it.
 */
const STORE = recordQuery(
  'select * from stored',
  'm.id',
  ', (select last_read_message_id from conversation_member where conversation_id = m.conversation_id and user_id = m.author_id and company_id = ?) as read_before',
);
const STORE_SQL = `with bumped as (
    update conversation set change_seq = change_seq + 1, last_message_at = now()
     where id = ? and company_id = ? and not exists (select 1 from message where conversation_id = ? and company_id = ? and client_id = ?::uuid)
       and (kind <> 'help' or exists (select 1 from company where id = ? and plan = any(?::text[])))
       and (not ?::boolean or exists (
         select 1 from conversation_member cm left join presence p on p.user_id = cm.user_id and p.company_id = cm.company_id
          where cm.conversation_id = ? and cm.user_id = ? and cm.company_id = ? and p.status is distinct from 'offline'))
    returning change_seq
  ), stored as (
    insert into message (company_id, conversation_id, author_id, client_id, body, reply_to_id, created_at, seq, api_token_id, display_name, support_agent_id, integration_id, integration_name)
    select ?::int, ?::int, ?::int, ?::uuid, ?::text,
           (select r.id from message r where r.id = ?::bigint and r.conversation_id = ?::int and r.company_id = ?::int and r.deleted_at is null),
           now(), change_seq, ?::int, ?::text, ?::int, ?::int, ?::text from bumped
    on conflict (conversation_id, client_id) do nothing
    returning *
  ), read as (
    update conversation_member cm set last_read_message_id = greatest(cm.last_read_message_id, stored.id)
      from stored where cm.conversation_id = stored.conversation_id and cm.user_id = stored.author_id and cm.company_id = stored.company_id
  )
  ${STORE}`;

/** An integration's or a support agent's retry: the stored message is theirs. */
function sameOutsider(existing: MessageRecord, sender: Sender): boolean {
  if ('integrationId' in sender) return existing.integrationId === sender.integrationId;
  if ('supportAgentId' in sender) return existing.supportAgentId === sender.supportAgentId;
  return false;
}

@Injectable()
export class MessagesService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
    private readonly edits: MessageEdits,
    private readonly batch: MessageBatch,
  ) {}

  /**
   * A retried send (the same client id) returns the stored message: created is false. What belongs to the
   * message (its files) is stored by `attach` in the same transaction, before anyone is told.
   */
  async send(
    sender: Sender,
    to: Target,
    clientId: string,
    body: string,
    replyToId?: number,
    attach?: (em: EntityManager, messageId: number) => Promise<void>,
  ): Promise<{ record: MessageRecord; created: boolean }> {
    const authorId = 'user' in sender ? sender.user.id : null;
    const mustBeMember = 'user' in sender && !!sender.mustBeMember;
    const store = async (em: EntityManager) => {
      const [row] = await prepared<RecordRow & { read_before: string | null }>(em, 'message-store', STORE_SQL, [
        to.id,
        to.companyId,
        to.id,
        to.companyId,
        clientId,
        to.companyId,
        HELP_PLANS,
        mustBeMember,
        to.id,
        authorId,
        to.companyId,
        to.companyId,
        to.id,
        authorId,
        clientId,
        body,
        replyToId ?? null,
        to.id,
        to.companyId,
        // The token is not named: a revoke racing the post would break the reference; the integration outlives it.
        null,
        'user' in sender ? null : sender.displayName,
        'supportAgentId' in sender ? sender.supportAgentId : null,
        'integrationId' in sender ? sender.integrationId : null,
        'integrationId' in sender ? sender.integrationName : null,
        // The read-back names the company five times: the files, the read pointer, the author, the reply and its author.
        ...Array<number>(5).fill(to.companyId),
      ]);
      if (!row) return null;
      await this.edits.indexLinks(em, { id: Number(row.id), conversationId: to.id, companyId: to.companyId, body, deleted: false }, true);
      if (attach) await attach(em, Number(row.id));
      return row;
    };
    const originSocketId = 'user' in sender ? sender.socketId : undefined;
    // What needs more than the message's row (its files, its links to CRM records) or runs in a caller's transaction is stored alone.
    if (!attach && !objectRefsIn(body).length && !this.em.getTransactionContext()) {
      const batched = await this.batch.store({
        companyId: to.companyId,
        conversationId: to.id,
        authorId,
        clientId,
        body,
        replyToId: replyToId ?? null,
        mustBeMember,
        displayName: 'user' in sender ? null : sender.displayName,
        supportAgentId: 'supportAgentId' in sender ? sender.supportAgentId : null,
        integrationId: 'integrationId' in sender ? sender.integrationId : null,
        integrationName: 'integrationId' in sender ? sender.integrationName : null,
      });
      if (batched) {
        const record = recordOf(this.em, batched.row);
        this.announce(to, 'created', record, batched.readBefore ?? undefined, originSocketId, batched.audience);
        return { record, created: true };
      }
      return this.storedBefore(sender, to, clientId);
    }
    const row = attach || objectRefsIn(body).length ? await this.em.transactional(store) : await store(this.em);
    if (row) {
      const record = attach ? (await messageById(this.em, to.companyId, Number(row.id)))! : recordOf(this.em, row);
      this.announce(to, 'created', record, row.read_before === null ? undefined : Number(row.read_before), originSocketId);
      return { record, created: true };
    }
    return this.storedBefore(sender, to, clientId);
  }

  /** Nothing stored: a retry (or a request with the same client id at the same moment) gets the stored message back. */
  private async storedBefore(sender: Sender, to: Target, clientId: string): Promise<{ record: MessageRecord; created: boolean }> {
    const authorId = 'user' in sender ? sender.user.id : null;
    const mustBeMember = 'user' in sender && !!sender.mustBeMember;
    // Stored before, or by a request with the same client id that ran at the same moment (the insert waited for it).
    const existing = await messageByClientId(this.em, to.companyId, to.id, clientId);
    const sameSender = !!existing && (authorId !== null ? existing.authorId === authorId : sameOutsider(existing, sender));
    if (!existing && mustBeMember) throw new NotStored();
    if (!existing || !sameSender) throw new ConflictException();
    return { record: existing, created: false };
  }

  /** One's own text, not deleted: an edit that comes after a deletion is refused (409), never stored. */
  async edit(user: User, messageId: number, body: string): Promise<MessageRecord> {
    const companyId = scopedCompanyId(this.em);
    const record = await this.edits.edit(this.em, companyId, user.id, messageId, body);
    if (record) {
      this.announce({ id: record.conversationId, companyId }, 'edited', record);
      return record;
    }
    const current = await this.visible(user, messageId);
    if (current.deletedAt) throw new ConflictException();
    if (current.authorId !== user.id || current.attachments.length || current.apiTokenId) throw new ForbiddenException();
    return current; // the same text: nothing changed
  }

  /** One's own message, or as an administrator or director any message in a group they belong to. */
  async delete(user: User, messageId: number): Promise<MessageRecord> {
    const companyId = scopedCompanyId(this.em);
    const record = await this.edits.delete(this.em, companyId, user.id, isManager(user.role), messageId);
    if (record) {
      this.announce({ id: record.conversationId, companyId }, 'deleted', record);
      return record;
    }
    const current = await this.visible(user, messageId);
    if (!current.deletedAt) throw new ForbiddenException();
    return current; // deleted before: deleting again changes nothing
  }

  /**
   * An integration's edit (text) or deletion (null) of its own message in its group: the message as it now is,
   * or why not: 'missing' (not in the group), 'not-own', 'deleted' (an edit after a deletion; a repeated deletion
   * is no error), 'same' (nothing changed).
   */
  async changeAsIntegration(
    at: { companyId: number; conversationId: number; integrationId: number },
    messageId: number,
    body: string | null,
  ): Promise<{ record: MessageRecord } | { refused: 'missing' | 'not-own' | 'deleted' | 'same'; record?: MessageRecord }> {
    const record = await this.edits.byIntegration(this.em, at, messageId, body);
    if (record) {
      this.announce({ id: at.conversationId, companyId: at.companyId }, body === null ? 'deleted' : 'edited', record);
      return { record };
    }
    const current = await messageById(this.em, at.companyId, messageId);
    if (!current || current.conversationId !== at.conversationId) return { refused: 'missing' };
    if (current.integrationId !== at.integrationId) return { refused: 'not-own' };
    if (current.deletedAt) return { refused: 'deleted', record: current };
    return { refused: 'same', record: current };
  }

  private announce(to: Target, kind: ChatMessageEvent['kind'], record: MessageRecord, readBefore?: number, originSocketId?: string, audience?: Audience): void {
    this.events.emit('chat.message', {
      companyId: to.companyId,
      conversationId: to.id,
      messageId: record.id,
      kind,
      record,
      readBefore,
      originSocketId,
      audience,
    } satisfies ChatMessageEvent);
  }

  /** A page of history, newest last, strictly before a message id: keyset paging, never OFFSET. */
  async page(conversationId: number, beforeId?: number): Promise<{ messages: MessageRecord[]; hasMore: boolean }> {
    const rows = await messagesBefore(this.em, scopedCompanyId(this.em), conversationId, beforeId, PAGE_SIZE + 1);
    return { messages: rows.slice(0, PAGE_SIZE).reverse(), hasMore: rows.length > PAGE_SIZE };
  }

  /**
   * The page opened at a message: a few before it, it, and every message after it, so the window still ends at
   * the newest (pushes and catch-ups stay right); null when it is not in the conversation or too far back.
   */
  async pageAt(conversationId: number, atId: number): Promise<{ messages: MessageRecord[]; hasMore: boolean } | null> {
    const companyId = scopedCompanyId(this.em);
    const from = await messagesFrom(this.em, companyId, conversationId, atId, JUMP_LIMIT + 1);
    if (from[0]?.id !== atId || from.length > JUMP_LIMIT) return null;
    const before = await messagesBefore(this.em, companyId, conversationId, atId, JUMP_CONTEXT + 1);
    return { messages: [...before.slice(0, JUMP_CONTEXT).reverse(), ...from], hasMore: before.length > JUMP_CONTEXT };
  }

  /**
   * The messages around one further back than a page can open at: a few before it, it, and a few after, for a page
   * of its own that reads history (no pushes land there); null when it is not in the conversation.
   */
  async around(conversationId: number, atId: number): Promise<{ messages: MessageRecord[]; hasEarlier: boolean; hasLater: boolean } | null> {
    const companyId = scopedCompanyId(this.em);
    const from = await messagesFrom(this.em, companyId, conversationId, atId, AROUND + 2);
    if (from[0]?.id !== atId) return null;
    const before = await messagesBefore(this.em, companyId, conversationId, atId, AROUND + 1);
    return {
      messages: [...before.slice(0, AROUND).reverse(), ...from.slice(0, AROUND + 1)],
      hasEarlier: before.length > AROUND,
      hasLater: from.length > AROUND + 1,
    };
  }

  /** Whether a message of the conversation lies further back than pageAt opens at (so the page around it shows it instead). */
  async tooDeep(conversationId: number, atId: number): Promise<boolean> {
    const companyId = scopedCompanyId(this.em);
    const [row] = await this.em.getConnection().execute<{ n: number }[]>(
      `select count(*)::int as n from (select 1 from message where company_id = ? and conversation_id = ? and id >= ? limit ?) newer
        where exists (select 1 from message where id = ? and company_id = ? and conversation_id = ?)`,
      [companyId, conversationId, atId, JUMP_LIMIT + 1, atId, companyId, conversationId],
    );
    return row.n > JUMP_LIMIT;
  }

  /**
   * Every message created, edited or deleted after a change sequence, in order, and the sequence they bring the
   * page to; null when too many to patch in. Changes commit in sequence order (each holds the conversation's row
   * until it commits), so the newest change read here has every earlier one before it.
   */
  async changesSince(conversationId: number, since: number): Promise<{ records: MessageRecord[]; seq: number } | null> {
    const records = await messagesChangedSince(this.em, scopedCompanyId(this.em), conversationId, since, CATCH_UP_LIMIT + 1);
    if (records.length > CATCH_UP_LIMIT) return null;
    return { records, seq: records.reduce((max, r) => Math.max(max, r.seq), since) };
  }

  /** A message of a conversation the user belongs to; anything else is a 404. */
  async visible(user: Pick<User, 'id'>, messageId: number): Promise<MessageRecord> {
    const companyId = scopedCompanyId(this.em);
    const record = Number.isSafeInteger(messageId) ? await messageById(this.em, companyId, messageId) : undefined;
    if (!record) throw new NotFoundException();
    const [member] = await this.em
      .getConnection()
      .execute<{ n: number }[]>(`select 1 as n from conversation_member where conversation_id = ? and user_id = ? and company_id = ?`, [
        record.conversationId,
        user.id,
        companyId,
      ]);
    if (!member) throw new NotFoundException();
    return record;
  }
}
