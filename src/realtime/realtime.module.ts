import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ChatModule } from '../chat/chat.module';
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
  imports: [AccountsModule, ChatModule, PresenceModule, NotificationsModule],
  providers: [RealtimeGateway, ChatEvents, ChatBroadcaster, PresenceBroadcaster, ObjectLinkBroadcaster, NotificationBroadcaster, PlanBroadcaster],
  exports: [RealtimeGateway],
})
export class RealtimeModule {}
