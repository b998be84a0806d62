import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatRenderer } from '../chat/chat.renderer';
import { ConversationMember } from '../chat/conversation-member.entity';
import { ChatGroupEvent } from '../chat/conversations.service';
import { Message } from '../chat/message.entity';
import { messageView, readStateOf } from '../chat/message.view';
import { ChatMessageEvent, MessagesService } from '../chat/messages.service';
import { ChatReadEvent } from '../chat/reads.service';
import { inCompany } from '../database/background-work';
import { PresenceService } from '../presence/presence.service';
import { LOCALES } from '../web/i18n/translator';
import { RealtimeGateway } from './realtime.gateway';
import { conversationRoom, localeRoom, memberRoom, userRoom } from './server-events';

interface UnreadRow {
  user_id: number;
  conversation: number;
  total: number;
}

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
    private readonly presence: PresenceService,
    private readonly messages: MessagesService,
  ) {}

  @OnEvent('chat.message', { async: true, promisify: true })
  onMessage(event: ChatMessageEvent): Promise<void> {
    return this.inContext(event.companyId, async (em) => {
      const message = await em.findOneOrFail(Message, event.messageId, { populate: ['author', 'replyTo', 'replyTo.author', 'conversation', 'attachments'] });
      const members = await em.find(ConversationMember, { conversation: event.conversationId }, { populate: ['user'] });
      const state = readStateOf(members);
      const authorId = message.author?.id ?? 0;
      // Offline is chosen to be left alone: no pushes, no badges, no sounds until the user comes back.
      const offline = await this.presence.offlineAmong(members.map((m) => m.user.id));
      const silenced = [...offline].map(userRoom);
      const objects = await this.messages.objectsFor([message]);
      const wrap = (html: string) => `<div data-chat-messages="${event.conversationId}">${html}</div>`;
      for (const locale of LOCALES) {
        const others = LOCALES.filter((l) => l !== locale).map(localeRoom);
        const theirs = wrap(this.renderer.render('chat/_message.njk', locale, { m: messageView(message, -1, state, false, objects) }));
        this.io
          .to(conversationRoom(event.conversationId))
          .except([userRoom(authorId), ...silenced, ...others])
          .emit('html', theirs);
        if (authorId) {
          const own = wrap(this.renderer.render('chat/_message.njk', locale, { m: messageView(message, authorId, state, false, objects) }));
          this.io.to(memberRoom(event.conversationId, authorId)).except(others).emit('html', own);
        }
      }
      if (event.kind === 'edited') return;
      const recipients = members.filter((m) => m.user.id !== authorId && !offline.has(m.user.id));
      await this.pushUnread(
        em,
        message.conversation.kind,
        event.conversationId,
        members,
        recipients.map((m) => m.user.id),
      );
      if (event.kind === 'created') {
        for (const member of recipients) {
          this.io.to(userRoom(member.user.id)).emit('notify', { conversationId: event.conversationId, authorName: message.author?.name ?? '' });
        }
      }
    });
  }

  @OnEvent('chat.read', { async: true, promisify: true })
  onRead(event: ChatReadEvent): Promise<void> {
    return this.inContext(event.companyId, async (em) => {
      const members = await em.find(ConversationMember, { conversation: event.conversationId }, { populate: ['user', 'conversation'] });
      await this.pushUnread(em, members[0]?.conversation.kind, event.conversationId, members, [event.userId]);
      // The ticks of the messages just read, for their authors' pages showing the conversation.
      const read = await em.find(
        Message,
        { conversation: event.conversationId, id: { $gt: event.fromId, $lte: event.toId }, deletedAt: null, author: { $ne: event.userId } },
        { orderBy: { id: 'desc' }, limit: 200, populate: ['author'] },
      );
      const state = readStateOf(members);
      const byAuthor = new Map<number, Message[]>();
      for (const message of read) if (message.author) byAuthor.set(message.author.id, [...(byAuthor.get(message.author.id) ?? []), message]);
      for (const [authorId, messages] of byAuthor) {
        for (const locale of LOCALES) {
          const html = messages
            .map((m) => this.renderer.render('chat/_receipt.njk', locale, { m: messageView(m, authorId, state, false), oob: true }))
            .join('');
          this.io
            .to(memberRoom(event.conversationId, authorId))
            .except(LOCALES.filter((l) => l !== locale).map(localeRoom))
            .emit('html', html);
        }
      }
    });
  }

  @OnEvent('chat.group.changed', { async: true, promisify: true })
  async onGroupChanged(event: ChatGroupEvent): Promise<void> {
    for (const userId of event.removedUserIds) {
      this.io.in(userRoom(userId)).socketsLeave([conversationRoom(event.conversationId), memberRoom(event.conversationId, userId)]);
      this.io.to(userRoom(userId)).emit('refresh', { panel: true, closeConversationId: event.conversationId });
    }
    for (const userId of event.userIds) this.io.to(userRoom(userId)).emit('refresh', { panel: true });
  }

  /** Each recipient's unread count for this conversation and in total, in one query for all of them. */
  private async pushUnread(
    em: EntityManager,
    kind: 'direct' | 'group' | undefined,
    conversationId: number,
    members: ConversationMember[],
    userIds: number[],
  ): Promise<void> {
    if (userIds.length === 0) return;
    const rows = await em.getConnection().execute<UnreadRow[]>(
      `select cm.user_id,
              count(m.id) filter (where cm.conversation_id = ?)::int as conversation,
              count(m.id)::int as total
         from conversation_member cm
         left join message m on m.conversation_id = cm.conversation_id and m.id > cm.last_read_message_id
              and m.deleted_at is null and m.author_id is distinct from cm.user_id
        where cm.user_id in (${userIds.map(() => '?').join(',')})
        group by cm.user_id`,
      [conversationId, ...userIds],
    );
    const group = kind === 'group';
    for (const row of rows) {
      const other = members.find((m) => m.user.id !== row.user_id);
      const entryKey = group ? `c${conversationId}` : `u${other?.user.id}`;
      for (const locale of LOCALES) {
        const html =
          this.renderer.render('chat/_unread.njk', locale, { badgeKey: entryKey, count: row.conversation, oob: true }) +
          this.renderer.render('chat/_unread.njk', locale, { badgeKey: 'total', count: row.total, oob: true });
        this.io
          .to(userRoom(row.user_id))
          .except(LOCALES.filter((l) => l !== locale).map(localeRoom))
          .emit('html', html);
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
