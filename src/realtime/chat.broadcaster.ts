import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { Audience, AudienceMember, audienceOf, UNREAD_CAP, unreadCounts } from '../chat/audience';
import { ChatRenderer } from '../chat/chat.renderer';
import { ChatGroupEvent } from '../chat/conversations.service';
import { MessageFragment, MessageFragments } from '../chat/message.fragments';
import { mentionedIn } from '../chat/mentions';
import { ChatMessageEvent } from '../chat/messages.service';
import type { MessageRecord } from '../chat/message.view';
import { encodeWatermark, ReadWatermark, readUpTo, sameWatermark, watermarkOf } from '../chat/read-watermark';
import { ChatReadEvent } from '../chat/reads.service';
import { inCompany } from '../database/background-work';
import type { Mentioned } from '../notifications/notifications.service';
import type { Locale } from '../web/i18n/translator';
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
    private readonly events: EventEmitter2,
  ) {}

  @OnEvent('chat.message', { async: true, promisify: true })
  onMessage(event: ChatMessageEvent): Promise<void> {
    // A new message whose store read its audience needs no statement here, nor an entity manager (its fragment links to nothing).
    if (event.audience) {
      const audience = event.audience;
      return this.pushMessage(event, audience).catch((err: unknown) => this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err)));
    }
    return this.inContext(event.companyId, async (em) =>
      this.pushMessage(event, await audienceOf(em, event.companyId, event.conversationId, event.readBefore)),
    );
  }

  private async pushMessage(event: ChatMessageEvent, audience: Audience): Promise<void> {
    // The support team hears of a Help conversation's messages from here: the audience already says its kind.
    if (audience.kind === 'help') this.events.emit('help.message', event);
    if (event.kind === 'created' && audience.kind === 'group') this.mentions(event, audience);
    const { members } = audience;
    const read = watermarkOf(members);
    // Offline is chosen to be left alone: no pushes, no badges, no sounds until the user comes back.
    const silenced = members.filter((m) => m.offline).map((m) => userRoom(m.userId));
    const room = conversationRoom(event.conversationId);
    const authorId = event.record.authorId;
    const created = event.kind === 'created';
    // A new message reaches each recipient's pages as one packet: the message, its badge and the chime.
    const recipients = event.kind === 'edited' ? [] : members.filter((m) => m.userId !== authorId && !m.offline);
    const notified = created ? recipients.map((m) => userRoom(m.userId)) : [];
    const locales = this.gateway.localesFor([room, ...notified]);
    // A new message's fragment is the one its sender's answer carries.
    const rendered = created
      ? await this.fragments.newMessage(event.record, locales)
      : new Map([...(await this.fragments.inLocales([event.record], locales, read))].map(([locale, [fragment]]) => [locale, fragment]));
    const { seq } = event.record;
    // The page that sent it has it from its acknowledgement.
    const others = [...silenced, ...notified, ...(event.originSocketId ? [event.originSocketId] : [])];
    for (const [locale, fragment] of rendered) {
      this.io.to(inLocale(room, locale)).except(others).emit('messages', { conversationId: event.conversationId, seq, html: fragment.html });
    }
    if (event.kind === 'edited') return;
    const message = created
      ? {
          authorName: event.record.authorName ?? event.record.displayName ?? '',
          seq,
          rendered,
          room,
          messageId: event.record.id,
          preview: previewOf(event.record),
        }
      : undefined;
    this.pushUnread(audience, event.conversationId, recipients, { message });
    if (event.readBefore === undefined) return;
    // Sending reads what came before: the sender's badge, if anything was unread, and the ticks of what it read.
    const sender = members.find((m) => m.userId === authorId);
    if (!sender) return;
    const before = members.map((m) => (m === sender ? { ...m, lastRead: event.readBefore! } : m));
    if (unreadCounts(audience, [{ userId: sender.userId, lastRead: event.readBefore }]).get(sender.userId))
      this.pushUnread(audience, event.conversationId, [sender]);
    this.pushRead(event.conversationId, audience, watermarkOf(before));
  }

  @OnEvent('chat.read', { async: true, promisify: true })
  onRead(event: ChatReadEvent): Promise<void> {
    if (event.audience) {
      const audience = event.audience;
      return Promise.resolve()
        .then(() => this.pushReads(event, audience))
        .catch((err: unknown) => this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err)));
    }
    return this.inContext(event.companyId, async (em) => {
      const lowestBefore = Math.min(...event.readers.map((r) => r.fromId));
      this.pushReads(event, await audienceOf(em, event.companyId, event.conversationId, lowestBefore));
    });
  }

  private pushReads(event: ChatReadEvent, audience: Audience): void {
    const moved = new Map(event.readers.map((r) => [r.userId, r]));
    const readers = audience.members.filter((m) => moved.has(m.userId));
    if (!readers.length) return;
    // A page that cleared its own badge needs no push to say so, when nothing is left unread.
    const counts = unreadCounts(audience, readers);
    const quiet = readers.flatMap((m) => (counts.get(m.userId) ? [] : moved.get(m.userId)!.quietSocketIds));
    this.pushUnread(audience, event.conversationId, readers, { except: quiet });
    const before = audience.members.map((m) => (moved.has(m.userId) ? { ...m, lastRead: Math.min(m.lastRead, moved.get(m.userId)!.fromId) } : m));
    this.pushRead(event.conversationId, audience, watermarkOf(before));
  }

  /**
   * The read watermark, if it moved, to the pages of the authors whose messages turned read: a tick is only
   * ever drawn on one's own messages, so nobody else's page needs it (their next check brings it anyway).
   */
  /** Members a new group message mentions (not its author, not those who chose Offline) get a notification. */
  private mentions(event: ChatMessageEvent, audience: Audience): void {
    const candidates = audience.members.filter((m) => m.userId !== event.record.authorId && !m.offline);
    const userIds = mentionedIn(event.record.body, candidates);
    if (!userIds.length) return;
    const byName = event.record.authorName ?? event.record.displayName ?? event.record.integrationName ?? '';
    this.events.emit('chat.mentioned', { companyId: event.companyId, conversationId: event.conversationId, byName, userIds } satisfies Mentioned);
  }

  private pushRead(conversationId: number, audience: Audience, before: ReadWatermark): void {
    const { members, newest } = audience;
    const now = watermarkOf(members);
    if (sameWatermark(now, before)) return;
    // The newest messages reach down past every range below unless the scan was cut at its cap.
    const scanned = newest.length < UNREAD_CAP;
    const rooms: string[] = [];
    for (const m of members) {
      if (m.offline) continue;
      const from = readUpTo(before, m.userId);
      const to = readUpTo(now, m.userId);
      if (to <= from) continue;
      if (!scanned || newest.some((n) => n.authorId === m.userId && n.id > from && n.id <= to)) rooms.push(userRoom(m.userId));
    }
    if (rooms.length) this.io.to(rooms).emit('read', { conversationId, read: encodeWatermark(now) });
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
   * The recipients of a new message get it and their badge in one packet.
   */
  private pushUnread(
    audience: Audience,
    conversationId: number,
    readers: AudienceMember[],
    options: {
      message?: { authorName: string; seq: number; rendered: Map<Locale, MessageFragment>; room: string; messageId: number; preview: string };
      except?: string[];
    } = {},
  ): void {
    const { kind, members } = audience;
    const { message, except = [] } = options;
    const counts = unreadCounts(audience, readers);
    const byBadge = new Map<string, { badgeKey: string; count: number; muted: boolean; rooms: string[] }>();
    for (const reader of readers) {
      // In a direct conversation the panel's entry is the other person.
      const badgeKey =
        kind === 'group' ? `c${conversationId}` : kind === 'help' ? 'help' : `u${members.find((m) => m.userId !== reader.userId)?.userId ?? reader.userId}`;
      const count = counts.get(reader.userId) ?? 0;
      // Who muted the conversation gets the same badge, but the packet tells their pages to stay quiet.
      const muted = !!message && reader.muted;
      const key = `${badgeKey}:${count}:${muted}`;
      const badge = byBadge.get(key) ?? { badgeKey, count, muted, rooms: [] };
      badge.rooms.push(userRoom(reader.userId));
      byBadge.set(key, badge);
    }
    for (const { badgeKey, count, muted, rooms } of byBadge.values()) {
      // A new message's own copy skips the pages of members outside this badge's readers.
      const inGroup = new Set(rooms);
      const others = message ? members.map((m) => userRoom(m.userId)).filter((room) => !inGroup.has(room)) : [];
      for (const locale of this.gateway.localesFor(rooms)) {
        const html = this.badge(locale, badgeKey, count);
        const readerRooms = rooms.map((room) => inLocale(room, locale));
        if (!message) {
          this.io.to(readerRooms).except(except).emit('html', html);
          continue;
        }
        // The message itself only to the pages showing its conversation; the badge and the chime to all.
        const notice = {
          conversationId,
          authorName: message.authorName,
          html,
          seq: message.seq,
          entry: badgeKey,
          messageId: message.messageId,
          preview: message.preview,
          ...(muted ? { muted: true } : {}),
        };
        const shown = inLocale(message.room, locale);
        this.io
          .to(shown)
          .except([...others, ...except])
          .emit('notify', { ...notice, message: message.rendered.get(locale)?.html });
        this.io
          .to(readerRooms)
          .except([shown, ...except])
          .emit('notify', notice);
      }
    }
  }

  /** Badges are few and small (an entry, a count, a language): rendered once, not on every message and read. */
  private readonly badges = new Map<string, string>();

  private badge(locale: Locale, badgeKey: string, count: number): string {
    const key = `${locale}:${badgeKey}:${count}`;
    let html = this.badges.get(key);
    if (html === undefined) {
      html = this.renderer.render('chat/_unread.njk', locale, { badgeKey, count, oob: true });
      if (this.badges.size >= BADGES_KEPT) this.badges.delete(this.badges.keys().next().value!);
      this.badges.set(key, html);
    }
    return html;
  }

  private get io() {
    return this.gateway.server;
  }

  private inContext(companyId: number, work: (em: EntityManager) => Promise<void>): Promise<void> {
    return inCompany(this.orm, companyId, this.logger, work);
  }
}

const BADGES_KEPT = 2000;

/** The first words of a new message for a desktop notification: its text, else the name of its first file. */
function previewOf(record: MessageRecord): string {
  const text = record.body.replace(/\s+/g, ' ').trim() || record.attachments[0]?.name || '';
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}
