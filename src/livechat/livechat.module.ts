import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { FilesModule } from '../files/files.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { SecurityModule } from '../security/security.module';
import { LivechatChallenge } from './challenge';
import { ChatPageModel } from './chat-page';
import { LivechatChats } from './chats.service';
import { ConversationsController } from './conversations.controller';
import { LivechatConversations } from './conversations.service';
import { LivechatFiles } from './files';
import { LeftMessagesController } from './left-messages.controller';
import { ConsultantController } from './consultant.controller';
import { LivechatBroadcaster } from './livechat.broadcaster';
import { LivechatRouting } from './routing.service';
import { LivechatSections } from './sections';
import { LivechatSettingsController } from './settings.controller';
import { LivechatSettingsService } from './settings.service';
import { LivechatTransfers } from './transfer.service';
import { TransferController } from './transfer.controller';
import { LeftMessageChecks } from './left-message-hooks';
import { VisitorController } from './visitor.controller';
import { VisitorDetailsService } from './visitor-details';
import { VisitorPageController } from './visitor-page.controller';
import { VisitorGateway } from './visitor.gateway';
import { VisitorsService } from './visitors.service';
import { WidgetController } from './widget.controller';

@Module({
  imports: [ChatModule, FilesModule, RealtimeModule, SecurityModule],
  // The settings and consultant routes first: their literal paths must win over the visitor's /livechat/:key/….
  controllers: [
    LivechatSettingsController,
    LeftMessagesController,
    ConsultantController,
    TransferController,
    ConversationsController,
    WidgetController,
    VisitorPageController,
    VisitorController,
  ],
  providers: [
    LivechatSettingsService,
    VisitorsService,
    LivechatChats,
    LivechatFiles,
    LivechatChallenge,
    LivechatRouting,
    LivechatSections,
    VisitorGateway,
    LivechatBroadcaster,
    LivechatTransfers,
    LivechatConversations,
    VisitorDetailsService,
    ChatPageModel,
    LeftMessageChecks,
  ],
  exports: [LivechatRouting, LivechatSettingsService, LeftMessageChecks, LivechatChallenge],
})
export class LivechatModule {}
