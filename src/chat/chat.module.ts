import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { Attachment } from './attachment.entity';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ChangesController } from './changes.controller';
import { ConversationWindows } from './conversation.view';
import { MessageBatch } from './message-batch';
import { MessageEdits } from './message-edits';
import { MessageFragments } from './message.fragments';
import { MessageSending } from './message-sending';
import { PageChromeInterceptor } from './page-chrome.interceptor';
import { ChatSettings } from './chat-settings.entity';
import { ChatSettingsService } from './chat-settings.service';
import { ChatRenderer } from './chat.renderer';
import { ConversationMember } from './conversation-member.entity';
import { Conversation } from './conversation.entity';
import { MessageContextController } from './message-context.controller';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { GroupsController } from './groups.controller';
import { Message } from './message.entity';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { MutesController } from './mutes.controller';
import { ObjectLinks } from './object-links';
import { NotificationsModule } from '../notifications/notifications.module';
import { PresenceModule } from '../presence/presence.module';
import { SecurityModule } from '../security/security.module';
import { PanelController } from './panel.controller';
import { PanelService } from './panel.service';
import { ReadsController } from './reads.controller';
import { ReadsService } from './reads.service';
import { UserDetailsController } from './user-details.controller';

@Module({
  imports: [
    MikroOrmModule.forFeature([Conversation, ConversationMember, Message, ChatSettings, Attachment]),
    PresenceModule,
    NotificationsModule,
    SecurityModule,
  ],
  controllers: [
    PanelController,
    ConversationsController,
    MessageContextController,
    MessagesController,
    ChangesController,
    ReadsController,
    GroupsController,
    UserDetailsController,
    MutesController,
  ],
  providers: [
    ConversationsService,
    MessagesService,
    MessageEdits,
    MessageBatch,
    MessageSending,
    MessageFragments,
    ConversationWindows,
    ReadsService,
    PanelService,
    ChatSettingsService,
    ChatRenderer,
    ObjectLinks,
    { provide: APP_INTERCEPTOR, useClass: PageChromeInterceptor },
  ],
  exports: [
    ConversationsService,
    MessagesService,
    MessageSending,
    MessageFragments,
    ConversationWindows,
    ReadsService,
    PanelService,
    ChatSettingsService,
    ChatRenderer,
    ObjectLinks,
  ],
})
export class ChatModule {}
