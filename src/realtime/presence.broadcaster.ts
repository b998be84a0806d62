import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatRenderer } from '../chat/chat.renderer';
import { PresenceChanged } from '../presence/presence.service';
import { Status } from '../presence/statuses';
import { RealtimeGateway } from './realtime.gateway';
import { companyRoom, inLocale, userRoom } from './server-events';

/** A change of what others see goes to every page of the company: one dot, rendered once per language. */
@Injectable()
export class PresenceBroadcaster {
  constructor(
    private readonly gateway: RealtimeGateway,
    private readonly renderer: ChatRenderer,
  ) {}

  @OnEvent('presence.changed')
  changed(event: PresenceChanged): void {
    const room = companyRoom(event.companyId);
    for (const locale of this.gateway.localesFor([room])) {
      const html = this.renderer.render('presence/_dot.njk', locale, { userId: event.userId, shown: event.shown, oob: true });
      this.gateway.server.to(inLocale(room, locale)).emit('html', html);
    }
  }

  /** The user's own pages redraw their panel; leaving Offline also brings every open chat up to date. */
  @OnEvent('presence.chosen')
  chosen(event: { userId: number; status: Status; before: Status }): void {
    this.gateway.server.to(userRoom(event.userId)).emit('refresh', { panel: true, resync: event.before === 'offline' && event.status !== 'offline' });
  }
}
