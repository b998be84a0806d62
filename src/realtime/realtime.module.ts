import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ChatModule } from '../chat/chat.module';
import { ChatBroadcaster } from './chat.broadcaster';
import { RealtimeGateway } from './realtime.gateway';

@Module({ imports: [AccountsModule, ChatModule], providers: [RealtimeGateway, ChatBroadcaster], exports: [RealtimeGateway] })
export class RealtimeModule {}
