import { MikroORM } from '@mikro-orm/core';
import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatRenderer } from '../chat/chat.renderer';
import { inCompany } from '../database/background-work';
import { Notification } from '../notifications/notification.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { PresenceService } from '../presence/presence.service';
import { RealtimeGateway } from './realtime.gateway';
import { inLocale, userRoom } from './server-events';

/** A new notification goes to its user's pages at once: the line on top of the list and the badge. */
@Injectable()
export class NotificationBroadcaster {
  private readonly logger = new Logger('notification-push');

  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: RealtimeGateway,
    private readonly renderer: ChatRenderer,
    private readonly presence: PresenceService,
    private readonly notifications: NotificationsService,
  ) {}

  @OnEvent('notification.created', { async: true, promisify: true })
  async created(event: { companyId: number; userId: number; notificationId: number }): Promise<void> {
    await inCompany(this.orm, event.companyId, this.logger, async (em) => {
      // Offline means no notifications; the list is there when the user comes back.
      if ((await this.presence.offlineAmong([event.userId])).size) return;
      const notification = await em.findOneOrFail(Notification, event.notificationId);
      const unread = await this.notifications.unread(event.userId);
      const room = userRoom(event.userId);
      for (const locale of this.gateway.localesFor([room])) {
        const item = this.renderer.render('notifications/_item.njk', locale, { n: notification });
        const badge = this.renderer.render('notifications/_badge.njk', locale, { count: unread, oob: true });
        // The page adds it on top unless it has it already (a panel redrawn at the same moment may bring it too).
        const html = `<hx-partial hx-target="#notification-list" hx-swap="prepend-new">${item}</hx-partial>${badge}`;
        this.gateway.server.to(inLocale(room, locale)).emit('html', html);
      }
    });
  }
}
