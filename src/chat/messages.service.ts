import { EntityManager } from '@mikro-orm/postgresql';
import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { User } from '../accounts/user.entity';
import { ConversationMember } from './conversation-member.entity';
import { Conversation } from './conversation.entity';
import { groupRights, isManager } from './group-rights';
import { Message } from './message.entity';
import { LinkedObject, ObjectLinks, objectRefsIn } from './object-links';
import { messagesBefore, messagesChangedSince } from './message-records';
import type { MessageRecord } from './message.view';
import { scopedCompanyId } from '../database/company-scope';
import { prepared } from '../database/prepared';

/** Who sends: a member, or an integration posting with its group's API token under a display name. */
export type Sender = { user: User } | { apiTokenId: number; displayName: string | null };

export const PAGE_SIZE = 50;
export const CATCH_UP_LIMIT = 500;

export interface ChatMessageEvent {
  companyId: number;
  conversationId: number;
  messageId: number;
  kind: 'created' | 'edited' | 'deleted';
  /** The message as the sending request loaded it (author, reply and files), so that the push need not read it again. */
  message?: Message;
  /** Others' messages that a new message's sender read by sending it (newest first), whose ticks follow. */
  read?: ReadMessage[];
}

/** A message just read, as its author's tick needs it. */
export interface ReadMessage {
  id: number;
  clientId: string;
  authorId: number;
}

/** Ticks pushed for one read at most: the newest, which are the ones on screen. */
export const READ_RECEIPTS_LIMIT = 200;

@Injectable()
export class MessagesService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
    private readonly links: ObjectLinks,
  ) {}

  /**
   * Stores a message once per client id: a retried send returns the stored message (created: false).
   * One statement bumps the conversation's change sequence (whose row lock also orders the sends), inserts the
   * message and moves the sender's read pointer; a transaction is opened only when more belongs to the message.
   */
  async send(
    sender: Sender,
    conversation: Conversation,
    clientId: string,
    body: string,
    replyToId?: number,
    /** Stores what belongs to the message (its files) in the same transaction, before anyone is told. */
    attach?: (em: EntityManager, message: Message) => Promise<void>,
  ): Promise<{ message: Message; created: boolean }> {
    const replyTo = replyToId
      ? await this.em.findOne(Message, { id: replyToId, conversation: conversation.id, deletedAt: null }, { populate: ['author'] })
      : null;
    const store = async (em: EntityManager): Promise<{ message: Message; read: ReadMessage[] } | null> => {
      const authorId = 'user' in sender ? sender.user.id : null;
      const [row] = await prepared<Record<string, unknown> & { read_messages: ReadMessage[] }>(
        em,
        'message-store',
        `with bumped as (
           update conversation set change_seq = change_seq + 1, last_message_at = now()
            where id = ? and company_id = ? and not exists (select 1 from message where conversation_id = ? and client_id = ?)
           returning change_seq
         ), stored as (
           insert into message (company_id, conversation_id, author_id, client_id, body, reply_to_id, created_at, seq, api_token_id, display_name)
           select ?::int, ?::int, ?::int, ?::uuid, ?::text, ?::bigint, now(), change_seq, ?::int, ?::text from bumped
           on conflict (conversation_id, client_id) do nothing
           returning *
         ), read as (
           update conversation_member cm set last_read_message_id = greatest(cm.last_read_message_id, stored.id)
             from stored where cm.conversation_id = stored.conversation_id and cm.user_id = stored.author_id
         )
         select stored.*, (
                  select coalesce(json_agg(json_build_object('id', m.id, 'clientId', m.client_id, 'authorId', m.author_id) order by m.id desc), '[]')
                    from (select id, client_id, author_id from message
                           where conversation_id = stored.conversation_id and id > r.before and id < stored.id
                             and deleted_at is null and author_id <> stored.author_id
                           order by id desc limit ${READ_RECEIPTS_LIMIT}) m
                ) as read_messages
           from stored left join lateral (
                  select last_read_message_id as before from conversation_member where conversation_id = stored.conversation_id and user_id = stored.author_id
                ) r on true`,
        [
          conversation.id,
          conversation.company.id,
          conversation.id,
          clientId,
          conversation.company.id,
          conversation.id,
          authorId,
          clientId,
          body,
          replyTo?.id ?? null,
          'apiTokenId' in sender ? sender.apiTokenId : null,
          'apiTokenId' in sender ? sender.displayName : null,
        ],
      );
      if (!row) return null;
      const { read_messages: read, ...columns } = row;
      const message = em.map(Message, columns);
      if (!attach) message.attachments.hydrate([]);
      await this.indexLinks(em, message, true);
      if (attach) await attach(em, message);
      // One's own message is read by oneself, and so is everything before it: others' messages among them get ticks.
      return { message, read: read.map((m) => ({ ...m, id: Number(m.id) })) };
    };
    const stored = attach || objectRefsIn(body).length ? await this.em.transactional(store) : await store(this.em);
    if (stored) {
      this.announce(conversation, stored.message, stored.read);
      return { message: stored.message, created: true };
    }
    // Stored before, or by a request with the same client id that ran at the same moment (the insert waited for it).
    const existing = await this.em
      .fork()
      .findOne(Message, { conversation: conversation.id, clientId }, { filters: false, populate: ['author', 'replyTo', 'replyTo.author', 'attachments'] });
    const sameSender = !!existing && ('user' in sender ? existing.author?.id === sender.user.id : existing.apiTokenId === sender.apiTokenId);
    if (!existing || !sameSender) throw new ConflictException();
    return { message: existing, created: false };
  }

  private announce(conversation: Conversation, message: Message, read: ReadMessage[]): void {
    this.events.emit('chat.message', {
      companyId: conversation.company.id,
      conversationId: conversation.id,
      messageId: message.id,
      kind: 'created',
      message,
      // Sending reads what came before: the sender's other pages and the others' ticks follow, in the same push.
      read: read.length ? read : undefined,
    } satisfies ChatMessageEvent);
  }

  async edit(user: User, messageId: number, body: string): Promise<Message> {
    const message = await this.find(user, messageId);
    if (message.author?.id !== user.id || message.deletedAt) throw new ForbiddenException();
    if (message.body === body) return message;
    await this.em.transactional(async (em) => {
      message.seq = await this.nextSeq(em, message.conversation, false);
      message.body = body;
      message.editedAt = new Date();
      await em.flush();
      await this.indexLinks(em, message);
    });
    this.events.emit('chat.message', {
      companyId: message.company.id,
      conversationId: message.conversation.id,
      messageId: message.id,
      kind: 'edited',
    } satisfies ChatMessageEvent);
    return message;
  }

  /** One's own message, or as an administrator or director any message in a group they belong to. */
  async delete(user: User, messageId: number): Promise<Message> {
    const message = await this.find(user, messageId);
    if (message.deletedAt) return message;
    const own = message.author?.id === user.id;
    const manages = message.conversation.kind === 'group' && isManager(user.role) && groupRights(user.role, []).delete;
    if (!own && !manages) throw new ForbiddenException();
    await this.em.transactional(async (em) => {
      message.seq = await this.nextSeq(em, message.conversation, false);
      message.body = '';
      message.deletedAt = new Date();
      await em.flush();
      await this.indexLinks(em, message);
    });
    this.events.emit('chat.message', {
      companyId: message.company.id,
      conversationId: message.conversation.id,
      messageId: message.id,
      kind: 'deleted',
    } satisfies ChatMessageEvent);
    return message;
  }

  /** A page of history, newest last, strictly before a message id: keyset paging, never OFFSET. */
  async page(conversationId: number, beforeId?: number): Promise<{ messages: MessageRecord[]; hasMore: boolean; objects: Map<string, LinkedObject> }> {
    const rows = await messagesBefore(this.em, scopedCompanyId(this.em), conversationId, beforeId, PAGE_SIZE + 1);
    const messages = rows.slice(0, PAGE_SIZE).reverse();
    return { messages, hasMore: rows.length > PAGE_SIZE, objects: await this.objectsFor(messages) };
  }

  /** Every message created, edited or deleted after a change sequence, in order; null when too many to catch up. */
  async changesSince(conversationId: number, seq: number): Promise<MessageRecord[] | null> {
    const rows = await messagesChangedSince(this.em, scopedCompanyId(this.em), conversationId, seq, CATCH_UP_LIMIT + 1);
    return rows.length > CATCH_UP_LIMIT ? null : rows;
  }

  /** The CRM objects the messages link to, as the current company sees them. */
  objectsFor(messages: { body: string; deletedAt?: Date | null }[]): Promise<Map<string, LinkedObject>> {
    return this.links.forBodies(messages.filter((m) => !m.deletedAt).map((m) => m.body));
  }

  /** Remembers which objects a message links to, so that a change to one reaches the conversations showing it. */
  private async indexLinks(em: EntityManager, message: Message, isNew = false): Promise<void> {
    const conn = em.getConnection();
    const ctx = em.getTransactionContext();
    if (!isNew) await conn.execute(`delete from message_link where message_id = ?`, [message.id], 'run', ctx);
    const refs = message.deletedAt ? [] : objectRefsIn(message.body);
    for (const ref of refs) {
      await conn.execute(
        `insert into message_link (message_id, conversation_id, company_id, kind, object_id) values (?, ?, ?, ?, ?) on conflict do nothing`,
        [message.id, message.conversation.id, message.company.id, ref.kind, ref.id],
        'run',
        ctx,
      );
    }
  }

  /** The user's latest messages, whose ticks a page re-reads after a dropped connection. */
  recentOwn(conversationId: number, authorId: number, limit = 50): Promise<Message[]> {
    return this.em.find(Message, { conversation: conversationId, author: authorId, deletedAt: null }, { orderBy: { id: 'desc' }, limit });
  }

  /** A message of a conversation the user belongs to; anything else is a 404. */
  async find(user: User, messageId: number): Promise<Message> {
    const message = Number.isSafeInteger(messageId)
      ? await this.em.findOne(Message, { id: messageId }, { populate: ['conversation', 'author', 'replyTo', 'replyTo.author', 'attachments'] })
      : null;
    if (!message) throw new NotFoundException();
    const member = await this.em.count(ConversationMember, { conversation: message.conversation.id, user: user.id });
    if (!member) throw new NotFoundException();
    return message;
  }

  private async nextSeq(em: EntityManager, conversation: Conversation, isNewMessage: boolean): Promise<number> {
    const [row] = await em
      .getConnection()
      .execute<{ change_seq: string }[]>(
        `update conversation set change_seq = change_seq + 1${isNewMessage ? ', last_message_at = now()' : ''} where id = ? returning change_seq`,
        [conversation.id],
        'all',
        em.getTransactionContext(),
      );
    return Number(row.change_seq);
  }
}
