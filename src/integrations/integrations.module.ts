import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { SecurityModule } from '../security/security.module';
import { ApiMessagesController } from './api-messages.controller';
import { GroupApiToken } from './group-api-token.entity';
import { GroupTokensController } from './group-tokens.controller';
import { GroupTokensService } from './group-tokens.service';

@Module({
  imports: [MikroOrmModule.forFeature([GroupApiToken]), ChatModule, SecurityModule],
  controllers: [ApiMessagesController, GroupTokensController],
  providers: [GroupTokensService],
})
export class IntegrationsModule {}
