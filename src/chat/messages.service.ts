import { EntityManager } from '@mikro-orm/postgresql';
import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { User } from '../accounts/user.entity';
import { ConversationMember } from './conversation-member.entity';
import { Conversation } from './conversation.entity';
import { groupRights, isManager } from './group-rights';
import { Message } from './message.entity';
import type { ChatReadEvent } from './reads.service';
import { LinkedObject, ObjectLinks, objectRefsIn } from './object-links';

/** Who sends: a member, or an integration posting with its group's API token under a display name. */
export type Sender = { user: User } | { apiTokenId: number; displayName: string | null };

export const PAGE_SIZE = 50;
export const CATCH_UP_LIMIT = 500;

export interface ChatMessageEvent {
  companyId: number;
  conversationId: number;
  messageId: number;
  kind: 'created' | 'edited' | 'deleted';
}

@Injectable()
export class MessagesService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
    private readonly links: ObjectLinks,
  ) {}

  /**
   * Stores a message once per client id: a retried send returns the stored message (created: false).
   * The conversation row's change sequence is bumped in the same transaction, which also orders the sends.
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
    const sameSender = (m: Message | null) => !!m && ('user' in sender ? m.author?.id === sender.user.id : m.apiTokenId === sender.apiTokenId);
    const existing = await this.em.findOne(
      Message,
      { conversation: conversation.id, clientId },
      { populate: ['author', 'replyTo', 'replyTo.author', 'attachments'] },
    );
    if (existing) {
      if (!sameSender(existing)) throw new ConflictException();
      return { message: existing, created: false };
    }
    const replyTo = replyToId ? await this.em.findOne(Message, { id: replyToId, conversation: conversation.id, deletedAt: null }) : null;
    let readBefore = Number.MAX_SAFE_INTEGER;
    try {
      const message = await this.em.transactional(async (em) => {
        const seq = await this.nextSeq(em, conversation, true);
        const created = new Message(conversation, 'user' in sender ? sender.user : null, clientId, body, seq);
        created.replyTo = replyTo;
        if ('apiTokenId' in sender) {
          created.apiTokenId = sender.apiTokenId;
          created.displayName = sender.displayName;
        }
        await em.persistAndFlush(created);
        await this.indexLinks(em, created);
        if (attach) await attach(em, created);
        // One's own message is read by oneself, and so is everything before it.
        if ('user' in sender) {
          const [row] = await em.getConnection().execute<{ before: string }[]>(
            `update conversation_member cm set last_read_message_id = greatest(cm.last_read_message_id, ?)
               from (select last_read_message_id as before from conversation_member where conversation_id = ? and user_id = ?) old
              where cm.conversation_id = ? and cm.user_id = ? returning old.before`,
            [created.id, conversation.id, sender.user.id, conversation.id, sender.user.id],
            'all',
            em.getTransactionContext(),
          );
          readBefore = row ? Number(row.before) : created.id;
        }
        return created;
      });
      this.events.emit('chat.message', {
        companyId: conversation.company.id,
        conversationId: conversation.id,
        messageId: message.id,
        kind: 'created',
      } satisfies ChatMessageEvent);
      if ('user' in sender && readBefore < message.id) {
        // Sending reads what came before: the sender's other pages and the others' ticks follow.
        const read: ChatReadEvent = {
          companyId: conversation.company.id,
          conversationId: conversation.id,
          userId: sender.user.id,
          fromId: readBefore,
          toId: message.id,
        };
        this.events.emit('chat.read', read);
      }
      return { message, created: true };
    } catch (err) {
      // The same client id sent twice at once: the other request stored it.
      const raced = await this.em
        .fork()
        .findOne(Message, { conversation: conversation.id, clientId }, { filters: false, populate: ['author', 'replyTo', 'replyTo.author', 'attachments'] });
      if (raced && sameSender(raced)) return { message: raced, created: false };
      throw err;
    }
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
  async page(conversationId: number, beforeId?: number): Promise<{ messages: Message[]; hasMore: boolean; objects: Map<string, LinkedObject> }> {
    const rows = await this.em.find(
      Message,
      { conversation: conversationId, ...(beforeId ? { id: { $lt: beforeId } } : {}) },
      { orderBy: { id: 'desc' }, limit: PAGE_SIZE + 1, populate: ['author', 'replyTo', 'replyTo.author', 'attachments'] },
    );
    const messages = rows.slice(0, PAGE_SIZE).reverse();
    return { messages, hasMore: rows.length > PAGE_SIZE, objects: await this.objectsFor(messages) };
  }

  /** Every message created, edited or deleted after a change sequence, in order; null when too many to catch up. */
  async changesSince(conversationId: number, seq: number): Promise<Message[] | null> {
    const rows = await this.em.find(
      Message,
      { conversation: conversationId, seq: { $gt: seq } },
      { orderBy: { seq: 'asc' }, limit: CATCH_UP_LIMIT + 1, populate: ['author', 'replyTo', 'replyTo.author', 'attachments'] },
    );
    return rows.length > CATCH_UP_LIMIT ? null : rows;
  }

  /** The CRM objects the messages link to, as the current company sees them. */
  objectsFor(messages: Message[]): Promise<Map<string, LinkedObject>> {
    return this.links.forBodies(messages.filter((m) => !m.deletedAt).map((m) => m.body));
  }

  /** Remembers which objects a message links to, so that a change to one reaches the conversations showing it. */
  private async indexLinks(em: EntityManager, message: Message): Promise<void> {
    const conn = em.getConnection();
    const ctx = em.getTransactionContext();
    await conn.execute(`delete from message_link where message_id = ?`, [message.id], 'run', ctx);
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
