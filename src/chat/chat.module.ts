import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { Attachment } from './attachment.entity';
import { ChangesController } from './changes.controller';
import { ChatSettings } from './chat-settings.entity';
import { ChatSettingsService } from './chat-settings.service';
import { ChatRenderer } from './chat.renderer';
import { ConversationMember } from './conversation-member.entity';
import { Conversation } from './conversation.entity';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { GroupsController } from './groups.controller';
import { Message } from './message.entity';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { ObjectLinks } from './object-links';
import { NotificationsModule } from '../notifications/notifications.module';
import { PresenceModule } from '../presence/presence.module';
import { SecurityModule } from '../security/security.module';
import { PageChromeMiddleware } from './page-chrome.middleware';
import { PanelController } from './panel.controller';
import { PanelService } from './panel.service';
import { ReadsController } from './reads.controller';
import { ReadsService } from './reads.service';
import { UserDetailsController } from './user-details.controller';

@Module({
  imports: [MikroOrmModule.forFeature([Conversation, ConversationMember, Message, ChatSettings, Attachment]), PresenceModule, NotificationsModule, SecurityModule],
  controllers: [PanelController, ConversationsController, MessagesController, ChangesController, ReadsController, GroupsController, UserDetailsController],
  providers: [ConversationsService, MessagesService, ReadsService, PanelService, ChatSettingsService, ChatRenderer, PageChromeMiddleware, ObjectLinks],
  exports: [ConversationsService, MessagesService, PanelService, ChatSettingsService, ChatRenderer, PageChromeMiddleware, ObjectLinks],
})
export class ChatModule {}
