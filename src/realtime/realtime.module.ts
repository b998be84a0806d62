import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ChatModule } from '../chat/chat.module';
import { HelpModule } from '../help/help.module';
import { HelpBroadcaster } from './help.broadcaster';
import { NotificationsModule } from '../notifications/notifications.module';
import { PresenceModule } from '../presence/presence.module';
import { NotificationBroadcaster } from './notification.broadcaster';
import { ObjectLinkBroadcaster } from './object-link.broadcaster';
import { PlanBroadcaster } from './plan.broadcaster';
import { PresenceBroadcaster } from './presence.broadcaster';
import { ChatBroadcaster } from './chat.broadcaster';
import { ChatEvents } from './chat-events';
import { RealtimeGateway } from './realtime.gateway';

@Module({
  imports: [AccountsModule, ChatModule, HelpModule, PresenceModule, NotificationsModule],
  providers: [
    RealtimeGateway,
    ChatEvents,
    ChatBroadcaster,
    PresenceBroadcaster,
    ObjectLinkBroadcaster,
    NotificationBroadcaster,
    HelpBroadcaster,
    PlanBroadcaster,
  ],
  exports: [RealtimeGateway],
})
export class RealtimeModule {}
