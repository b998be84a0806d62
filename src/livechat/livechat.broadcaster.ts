import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatRenderer } from '../chat/chat.renderer';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { inCompany } from '../database/background-work';
import { RealtimeGateway } from '../realtime/realtime.gateway';
import { inLocale, userRoom } from '../realtime/server-events';
import { LivechatChatEvent, LivechatChats, LivechatMessageEvent } from './chats.service';
import type { LivechatVisitorErased } from './files';
import type { LivechatRouted } from './routing.service';
import { LivechatSections } from './sections';
import { sql } from './sql';
import type { LivechatTransferred } from './transfer.service';
import { LivechatVisitorPage, VisitorDetailsService } from './visitor-details';
import { VisitorGateway, visitorRoom } from './visitor.gateway';

/**
 * Livechat pushes: a visitor's widget gets each message of their chat (with its sequence, so it can tell a gap)
 * and the line that says where they stand in the queue; a consultant's pages get their panel section and the
 * open chat's whole log, redrawn (whole pieces, so a push that comes late or twice leaves the page as the
 * database has it). Each piece is rendered once per language that has a page open.
 */
@Injectable()
export class LivechatBroadcaster {
  private readonly logger = new Logger('livechat-push');

  constructor(
    private readonly orm: MikroORM,
    private readonly em: EntityManager,
    private readonly gateway: RealtimeGateway,
    private readonly visitors: VisitorGateway,
    private readonly renderer: ChatRenderer,
    private readonly chats: LivechatChats,
    private readonly sections: LivechatSections,
    private readonly details: VisitorDetailsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnEvent('livechat.message', { async: true, promisify: true })
  onMessage(event: LivechatMessageEvent): Promise<void> {
    return inCompany(this.orm, event.companyId, this.logger, async () => {
      const chat = await this.chats.byId(event.companyId, event.chatId);
      if (!chat) return;
      const message = await this.chats.message(chat, event.seq);
      if (!message) return;
      for (const locale of this.visitors.localesOf(chat.visitorId, !!this.config.redisUrl)) {
        const html = this.renderer.render('livechat/_message.njk', locale, { message });
        this.visitors.server.to(visitorRoom(chat.visitorId, locale)).emit('message', { chat: chat.publicId, seq: message.seq, html });
      }
      if (chat.consultantId === null) return;
      const room = userRoom(chat.consultantId);
      const locales = this.gateway.localesFor([room]);
      if (!locales.length) return;
      const messages = await this.chats.messages(chat);
      const section = await this.sections.of(event.companyId, chat.consultantId);
      const chime = message.author === 'visitor' ? `${chat.id}:${message.seq}` : undefined;
      for (const locale of locales) {
        const html =
          this.renderer.render('livechat/_log.njk', locale, { chat, messages, oob: true }) +
          this.renderer.render('livechat/_section.njk', locale, { ...section, oob: true, chime });
        this.gateway.server.to(inLocale(room, locale)).emit('html', html);
      }
    });
  }

  @OnEvent('livechat.routed', { async: true, promisify: true })
  onRouted(event: LivechatRouted): Promise<void> {
    return inCompany(this.orm, event.companyId, this.logger, async () => {
      const gained = new Map(event.assigned.map((m) => [m.consultantId, m.chatId]));
      const consultants = new Set([...event.assigned, ...event.released].map((m) => m.consultantId));
      for (const consultantId of consultants) {
        const room = userRoom(consultantId);
        const locales = this.gateway.localesFor([room]);
        if (!locales.length) continue;
        const section = await this.sections.of(event.companyId, consultantId);
        const moved = event.released.filter(
          (m) => m.consultantId === consultantId && !event.assigned.some((a) => a.chatId === m.chatId && a.consultantId === consultantId),
        );
        const chime = gained.has(consultantId) ? `new:${gained.get(consultantId)}` : undefined;
        for (const locale of locales) {
          const html =
            this.renderer.render('livechat/_section.njk', locale, { ...section, oob: true, chime }) +
            moved.map((m) => this.renderer.render('livechat/_moved.njk', locale, { chatId: m.chatId })).join('');
          this.gateway.server.to(inLocale(room, locale)).emit('html', html);
        }
      }
      await this.pushQueue(event.companyId);
    });
  }

  /** A closed chat: its visitor is told (and asked for a rating), its consultant's section loses it. */
  @OnEvent('livechat.chat.closed', { async: true, promisify: true })
  onClosed(event: LivechatChatEvent): Promise<void> {
    return inCompany(this.orm, event.companyId, this.logger, async () => {
      const chat = await this.chats.byId(event.companyId, event.chatId);
      if (!chat) return;
      for (const locale of this.visitors.localesOf(chat.visitorId, !!this.config.redisUrl)) {
        const html = this.renderer.render('livechat/_w-status.njk', locale, { chat, closed: true });
        this.visitors.server.to(visitorRoom(chat.visitorId, locale)).emit('status', { chat: chat.publicId, html });
      }
      if (chat.consultantId) await this.pushSection(event.companyId, chat.consultantId);
    });
  }

  /**
   * A transfer: the consultant who gave the chat loses it from their section and their open page says so (its
   * answer box goes); the one who took it gets it in their section with the chime. The visitor's line comes as a
   * message.
   */
  @OnEvent('livechat.transferred', { async: true, promisify: true })
  onTransferred(event: LivechatTransferred): Promise<void> {
    return inCompany(this.orm, event.companyId, this.logger, async () => {
      if (event.fromId !== null) {
        const from = userRoom(event.fromId);
        const fromSection = await this.sections.of(event.companyId, event.fromId);
        for (const locale of this.gateway.localesFor([from]))
          this.gateway.server
            .to(inLocale(from, locale))
            .emit(
              'html',
              this.renderer.render('livechat/_section.njk', locale, { ...fromSection, oob: true }) +
                this.renderer.render('livechat/_transferred.njk', locale, { chatId: event.chatId, name: event.toName, reassigned: event.byOther }),
            );
      } else await this.pushQueue(event.companyId); // taken from the queue: those behind it move up
      const to = userRoom(event.toId);
      const toSection = await this.sections.of(event.companyId, event.toId);
      const chime = `transfer:${event.chatId}:${Date.now()}`;
      for (const locale of this.gateway.localesFor([to]))
        this.gateway.server.to(inLocale(to, locale)).emit('html', this.renderer.render('livechat/_section.njk', locale, { ...toSection, oob: true, chime }));
    });
  }

  /** The visitor moved to another page: the consultant of their open chat sees it on the chat's page. */
  @OnEvent('livechat.visitor.page', { async: true, promisify: true })
  onVisitorPage(event: LivechatVisitorPage): Promise<void> {
    return inCompany(this.orm, event.companyId, this.logger, async () => {
      const chat = await this.chats.openChatOf({ id: event.visitorId, companyId: event.companyId, name: null, email: null, verified: false });
      if (!chat?.consultantId) return;
      const room = userRoom(chat.consultantId);
      const locales = this.gateway.localesFor([room]);
      if (!locales.length) return;
      const details = await this.details.of(chat);
      for (const locale of locales)
        this.gateway.server.to(inLocale(room, locale)).emit('html', this.renderer.render('livechat/_visitor.njk', locale, { details, oob: true }));
    });
  }

  /** An erased visitor's open chat leaves its consultant's panel at once. */
  @OnEvent('livechat.visitor.erased', { async: true, promisify: true })
  onErased(event: LivechatVisitorErased): Promise<void> {
    return inCompany(this.orm, event.companyId, this.logger, async () => {
      for (const consultantId of event.consultantIds) await this.pushSection(event.companyId, consultantId);
    });
  }

  private async pushSection(companyId: number, consultantId: number): Promise<void> {
    const room = userRoom(consultantId);
    const locales = this.gateway.localesFor([room]);
    if (!locales.length) return;
    const section = await this.sections.of(companyId, consultantId);
    for (const locale of locales)
      this.gateway.server.to(inLocale(room, locale)).emit('html', this.renderer.render('livechat/_section.njk', locale, { ...section, oob: true }));
  }

  /** Every open chat's visitor learns where they stand: a place in the queue, or nothing once someone has it. */
  private async pushQueue(companyId: number): Promise<void> {
    const rows = await sql<{ public_id: string; visitor_id: number; position: number | null }>(
      this.em,
      `select public_id, visitor_id,
              case when status = 'waiting' then row_number() over (partition by status = 'waiting' order by queued_at, id) end::int as position
         from livechat_chat where company_id = ? and status <> 'closed'`,
      [companyId],
    );
    for (const row of rows) {
      for (const locale of this.visitors.localesOf(row.visitor_id, !!this.config.redisUrl)) {
        const html = this.renderer.render('livechat/_w-status.njk', locale, { position: row.position });
        this.visitors.server.to(visitorRoom(row.visitor_id, locale)).emit('status', { chat: row.public_id, html });
      }
    }
  }
}
