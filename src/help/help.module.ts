import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { SecurityModule } from '../security/security.module';
import { HelpController } from './help.controller';
import { HelpService } from './help.service';
import { SupportController } from './support.controller';
import { SupportViews } from './support.views';

@Module({
  imports: [ChatModule, SecurityModule],
  controllers: [HelpController, SupportController],
  providers: [HelpService, SupportViews],
  exports: [HelpService, SupportViews],
})
export class HelpModule {}
