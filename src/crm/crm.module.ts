import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { CrmCompany } from './crm-company.entity';
import { CrmNote } from './crm-note.entity';
import { CrmOpportunity } from './crm-opportunity.entity';
import { CrmTask } from './crm-task.entity';
import { CrmLinksResolver } from './crm-links.resolver';
import { CrmController } from './crm.controller';
import { CrmService } from './crm.service';

@Module({
  imports: [MikroOrmModule.forFeature([CrmCompany, CrmTask, CrmNote, CrmOpportunity]), ChatModule],
  controllers: [CrmController],
  providers: [CrmService, CrmLinksResolver],
  exports: [CrmService],
})
export class CrmModule {}
