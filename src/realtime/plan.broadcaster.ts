import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { CompanyPlanChanged } from '../accounts/companies.service';
import { has } from '../accounts/plans';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { LOCALES } from '../web/i18n/translator';
import { RealtimeGateway } from './realtime.gateway';
import { companyRoom, conversationRoom, inLocale } from './server-events';

const CONVERSATION_ROOM = conversationRoom(0).replace(/0$/, '');

/**
 * A plan change reaches open pages at once: their sockets get the chat or lose it, and the pages redraw their
 * panel and check their open chats (which close when the chat is gone). Nothing is deleted, so an upgrade brings
 * everything back. Sockets live on one instance each, so every instance updates its own.
 */
@Injectable()
export class PlanBroadcaster implements OnApplicationBootstrap {
  private readonly logger = new Logger('plans');

  constructor(
    private readonly gateway: RealtimeGateway,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.gateway.server.on('plan-changed', (event) => void this.apply(event.companyId, event.chat));
  }

  @OnEvent('company.plan-changed')
  async changed(event: CompanyPlanChanged): Promise<void> {
    const chat = has(event, 'chat');
    // The in-memory adapter has no other instances to tell (and warns when asked to).
    if (this.config.redisUrl) this.gateway.server.serverSideEmit('plan-changed', { companyId: event.companyId, chat });
    await this.apply(event.companyId, chat);
  }

  private async apply(companyId: number, chat: boolean): Promise<void> {
    try {
      const rooms = LOCALES.map((locale) => inLocale(companyRoom(companyId), locale));
      const local = this.gateway.server.local;
      for (const socket of await local.in(rooms).fetchSockets()) {
        socket.data.chat = chat;
        // Without the chat a page hears nothing more of its conversations; joining again asks the plan afresh.
        if (!chat) for (const room of socket.rooms) if (room.startsWith(CONVERSATION_ROOM)) socket.leave(room);
      }
      local.to(rooms).emit('refresh', { panel: true, resync: true });
    } catch (err) {
      this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    }
  }
}
