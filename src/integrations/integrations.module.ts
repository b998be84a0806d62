import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { FilesModule } from '../files/files.module';
import { ApiFilesController } from './api-files.controller';
import { SecurityModule } from '../security/security.module';
import { ApiMessagesController } from './api-messages.controller';
import { GroupApiToken } from './group-api-token.entity';
import { Integration } from './integration.entity';
import { GroupTokensController } from './group-tokens.controller';
import { GroupTokensService } from './group-tokens.service';
import { ApiAccess } from './api-access';
import { IdempotencyKeys } from './idempotency-keys';
import { IntegrationAvatarsController } from './integration-avatars.controller';
import { ProblemsController } from './problems.controller';
import { WebhookDeliveries } from './webhook-deliveries';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [MikroOrmModule.forFeature([GroupApiToken, Integration]), ChatModule, FilesModule, SecurityModule],
  controllers: [ApiMessagesController, ApiFilesController, GroupTokensController, IntegrationAvatarsController, WebhooksController, ProblemsController],
  providers: [GroupTokensService, ApiAccess, IdempotencyKeys, WebhooksService, WebhookDeliveries],
})
export class IntegrationsModule {}
