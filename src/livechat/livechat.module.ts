import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { FilesModule } from '../files/files.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { SecurityModule } from '../security/security.module';
import { LivechatChallenge } from './challenge';
import { LivechatChats } from './chats.service';
import { LivechatFiles } from './files';
import { LeftMessagesController } from './left-messages.controller';
import { ConsultantController } from './consultant.controller';
import { LivechatBroadcaster } from './livechat.broadcaster';
import { LivechatRouting } from './routing.service';
import { LivechatSections } from './sections';
import { LivechatSettingsController } from './settings.controller';
import { LivechatSettingsService } from './settings.service';
import { VisitorController } from './visitor.controller';
import { VisitorGateway } from './visitor.gateway';
import { VisitorsService } from './visitors.service';
import { WidgetController } from './widget.controller';

@Module({
  imports: [ChatModule, FilesModule, RealtimeModule, SecurityModule],
  // The settings and consultant routes first: their literal paths must win over the visitor's /livechat/:key/….
  controllers: [LivechatSettingsController, LeftMessagesController, ConsultantController, WidgetController, VisitorController],
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
  ],
  exports: [LivechatRouting],
})
export class LivechatModule {}
