import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatRenderer } from '../chat/chat.renderer';
import { Audience, AudienceMember, audienceOf, readStateOfAudience, unreadCounts } from '../chat/audience';
import { ChatGroupEvent } from '../chat/conversations.service';
import { Message } from '../chat/message.entity';
import { messageView, ReadState, receiptFor } from '../chat/message.view';
import { ChatMessageEvent, MessagesService, READ_RECEIPTS_LIMIT, ReadMessage } from '../chat/messages.service';
import { ChatReadEvent } from '../chat/reads.service';
import { inCompany } from '../database/background-work';
import { RealtimeGateway } from './realtime.gateway';
import { conversationRoom, inLocale, memberRoom, userRoom } from './server-events';

/**
 * Turns chat events into pushes of HTML rendered from the same partials as the pages. A fragment that is the
 * same for many pages is rendered once per audience (author or others) and language, never per recipient.
 */
@Injectable()
export class ChatBroadcaster {
  private readonly logger = new Logger('chat-push');

  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: RealtimeGateway,
    private readonly renderer: ChatRenderer,
    private readonly messages: MessagesService,
  ) {}

  @OnEvent('chat.message', { async: true, promisify: true })
  onMessage(event: ChatMessageEvent): Promise<void> {
    return this.inContext(event.companyId, async (em) => {
      const message =
        event.message ??
        (await em.findOneOrFail(Message, event.messageId, { populate: ['author', 'replyTo', 'replyTo.author', 'conversation', 'attachments'] }));
      const audience = await audienceOf(em, event.companyId, event.conversationId);
      const { members } = audience;
      const state = readStateOfAudience(members);
      const authorId = message.author?.id ?? 0;
      // Offline is chosen to be left alone: no pushes, no badges, no sounds until the user comes back.
      const silenced = members.filter((m) => m.offline).map((m) => userRoom(m.userId));
      const objects = await this.messages.objectsFor([message]);
      const wrap = (html: string) => `<div data-chat-messages="${event.conversationId}">${html}</div>`;
      const room = conversationRoom(event.conversationId);
      const own = memberRoom(event.conversationId, authorId);
      for (const locale of this.gateway.localesFor([room])) {
        const theirs = wrap(this.renderer.render('chat/_message.njk', locale, { m: messageView(message, -1, state, false, objects) }));
        this.io
          .to(inLocale(room, locale))
          .except([userRoom(authorId), ...silenced])
          .emit('html', theirs);
        if (authorId && this.gateway.localesFor([own]).includes(locale)) {
          const mine = wrap(this.renderer.render('chat/_message.njk', locale, { m: messageView(message, authorId, state, false, objects) }));
          this.io.to(inLocale(own, locale)).emit('html', mine);
        }
      }
      if (event.kind === 'edited') return;
      const recipients = members.filter((m) => m.userId !== authorId && !m.offline);
      const sender = event.read ? members.find((m) => m.userId === authorId) : undefined;
      const notify = event.kind === 'created' ? { authorName: message.author?.name ?? '', userIds: new Set(recipients.map((m) => m.userId)) } : undefined;
      this.pushUnread(audience, event.conversationId, sender ? [...recipients, sender] : recipients, notify);
      if (sender) this.pushReceipts(event.conversationId, event.read!, state);
    });
  }

  @OnEvent('chat.read', { async: true, promisify: true })
  onRead(event: ChatReadEvent): Promise<void> {
    return this.inContext(event.companyId, async (em) => {
      const audience = await audienceOf(em, event.companyId, event.conversationId);
      const reader = audience.members.find((m) => m.userId === event.userId);
      if (!reader) return;
      this.pushUnread(audience, event.conversationId, [reader]);
      const read = await em.getConnection().execute<{ id: string; client_id: string; author_id: number }[]>(
        `select id, client_id, author_id from message
          where conversation_id = ? and id > ? and id <= ? and deleted_at is null and author_id <> ?
          order by id desc limit ${READ_RECEIPTS_LIMIT}`,
        [event.conversationId, event.fromId, event.toId, reader.userId],
      );
      const messages = read.map((r) => ({ id: Number(r.id), clientId: r.client_id, authorId: r.author_id }));
      this.pushReceipts(event.conversationId, messages, readStateOfAudience(audience.members));
    });
  }

  /** The ticks of the messages a member just read, for their authors' pages showing the conversation. */
  private pushReceipts(conversationId: number, read: ReadMessage[], state: ReadState): void {
    const byAuthor = new Map<number, ReadMessage[]>();
    for (const m of read) {
      const theirs = byAuthor.get(m.authorId);
      if (theirs) theirs.push(m);
      else byAuthor.set(m.authorId, [m]);
    }
    for (const [authorId, messages] of byAuthor) {
      const room = memberRoom(conversationId, authorId);
      for (const locale of this.gateway.localesFor([room])) {
        const html = messages
          .map((m) => this.renderer.render('chat/_receipt.njk', locale, { m: { clientId: m.clientId, receipt: receiptFor(m.id, authorId, state) }, oob: true }))
          .join('');
        this.io.to(inLocale(room, locale)).emit('html', html);
      }
    }
  }

  @OnEvent('chat.group.changed', { async: true, promisify: true })
  async onGroupChanged(event: ChatGroupEvent): Promise<void> {
    for (const userId of event.removedUserIds) {
      this.gateway.leaveConversation(userId, event.conversationId);
      this.io.to(userRoom(userId)).emit('refresh', { panel: true, closeConversationId: event.conversationId });
    }
    for (const userId of event.userIds) this.io.to(userRoom(userId)).emit('refresh', { panel: true });
  }

  /**
   * Each reader's badge for this conversation. Readers with the same count get the same HTML, so a group of a
   * thousand costs a render per distinct count and language, and one emit for each. The page adds up the total.
   * The recipients of a new message get their badge inside its notification: one packet each, not two.
   */
  private pushUnread(audience: Audience, conversationId: number, readers: AudienceMember[], notify?: { authorName: string; userIds: Set<number> }): void {
    const { kind, members } = audience;
    const counts = unreadCounts(audience, readers);
    const byBadge = new Map<string, { badgeKey: string; count: number; notified: boolean; rooms: string[] }>();
    for (const reader of readers) {
      // In a direct conversation the panel's entry is the other person.
      const badgeKey = kind === 'group' ? `c${conversationId}` : `u${members.find((m) => m.userId !== reader.userId)?.userId ?? reader.userId}`;
      const count = counts.get(reader.userId) ?? 0;
      const notified = !!notify?.userIds.has(reader.userId);
      const key = `${badgeKey}:${count}:${notified}`;
      const badge = byBadge.get(key) ?? { badgeKey, count, notified, rooms: [] };
      badge.rooms.push(userRoom(reader.userId));
      byBadge.set(key, badge);
    }
    for (const { badgeKey, count, notified, rooms } of byBadge.values()) {
      for (const locale of this.gateway.localesFor(rooms)) {
        const html = this.renderer.render('chat/_unread.njk', locale, { badgeKey, count, oob: true });
        const to = this.io.to(rooms.map((room) => inLocale(room, locale)));
        if (notified) to.emit('notify', { conversationId, authorName: notify!.authorName, html });
        else to.emit('html', html);
      }
    }
  }

  private get io() {
    return this.gateway.server;
  }

  private inContext(companyId: number, work: (em: EntityManager) => Promise<void>): Promise<void> {
    return inCompany(this.orm, companyId, this.logger, work);
  }
}
