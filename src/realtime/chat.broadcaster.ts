import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Audience, AudienceMember, audienceOf, unreadCounts } from '../chat/audience';
import { ChatRenderer } from '../chat/chat.renderer';
import { ChatGroupEvent } from '../chat/conversations.service';
import { MessageFragments } from '../chat/message.fragments';
import { ChatMessageEvent } from '../chat/messages.service';
import { encodeWatermark, sameWatermark, watermarkOf } from '../chat/read-watermark';
import { ChatReadEvent } from '../chat/reads.service';
import { inCompany } from '../database/background-work';
import { RealtimeGateway } from './realtime.gateway';
import { conversationRoom, inLocale, userRoom } from './server-events';

/**
 * Turns chat events into pushes. A change to a conversation's messages goes to every page showing it, rendered
 * once per language and named by its change sequence, so a page applies changes in order and notices a gap.
 */
@Injectable()
export class ChatBroadcaster {
  private readonly logger = new Logger('chat-push');

  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: RealtimeGateway,
    private readonly renderer: ChatRenderer,
    private readonly fragments: MessageFragments,
  ) {}

  @OnEvent('chat.message', { async: true, promisify: true })
  onMessage(event: ChatMessageEvent): Promise<void> {
    return this.inContext(event.companyId, async (em) => {
      const audience = await audienceOf(em, event.companyId, event.conversationId);
      const { members } = audience;
      const read = watermarkOf(members);
      // Offline is chosen to be left alone: no pushes, no badges, no sounds until the user comes back.
      const silenced = members.filter((m) => m.offline).map((m) => userRoom(m.userId));
      const room = conversationRoom(event.conversationId);
      const rendered = await this.fragments.inLocales([event.record], this.gateway.localesFor([room]), read);
      for (const [locale, [fragment]] of rendered) {
        this.io
          .to(inLocale(room, locale))
          .except(silenced)
          .emit('messages', { conversationId: event.conversationId, seq: event.record.seq, html: fragment.html });
      }
      if (event.kind === 'edited') return;
      const authorId = event.record.authorId;
      const recipients = members.filter((m) => m.userId !== authorId && !m.offline);
      const sender = event.readBefore === undefined ? undefined : members.find((m) => m.userId === authorId);
      const notify = event.kind === 'created' ? { authorName: event.record.authorName ?? event.record.displayName ?? '', userIds: new Set(recipients.map((m) => m.userId)) } : undefined;
      this.pushUnread(audience, event.conversationId, sender ? [...recipients, sender] : recipients, notify);
      // Sending reads what came before: the ticks of what the sender read may turn green.
      if (sender) this.pushRead(event.conversationId, members, sender.userId, event.readBefore!, silenced);
    });
  }

  @OnEvent('chat.read', { async: true, promisify: true })
  onRead(event: ChatReadEvent): Promise<void> {
    return this.inContext(event.companyId, async (em) => {
      const audience = await audienceOf(em, event.companyId, event.conversationId);
      const reader = audience.members.find((m) => m.userId === event.userId);
      if (!reader) return;
      this.pushUnread(audience, event.conversationId, [reader]);
      const silenced = audience.members.filter((m) => m.offline).map((m) => userRoom(m.userId));
      this.pushRead(event.conversationId, audience.members, event.userId, event.fromId, silenced);
    });
  }

  /** The read watermark, to every page showing the conversation, if this reader's move changed it. */
  private pushRead(conversationId: number, members: AudienceMember[], readerId: number, readBefore: number, silenced: string[]): void {
    const now = watermarkOf(members);
    const before = watermarkOf(members.map((m) => (m.userId === readerId ? { ...m, lastRead: readBefore } : m)));
    if (sameWatermark(now, before)) return;
    const room = conversationRoom(conversationId);
    const rooms = this.gateway.localesFor([room]).map((locale) => inLocale(room, locale));
    if (rooms.length) this.io.to(rooms).except(silenced).emit('read', { conversationId, read: encodeWatermark(now) });
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
