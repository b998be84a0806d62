import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { User } from '../accounts/user.entity';
import { CompanyScoped } from '../database/company-scope';
import { CrmCompany } from './crm-company.entity';
import { CrmRecord } from './crm-record';

export const TASK_STATUSES = ['new', 'in_progress', 'done', 'cancelled'] as const;

@Entity({ tableName: 'crm_task' })
@CompanyScoped()
export class CrmTask extends CrmRecord {
  @Property({ type: 'text' }) description = '';
  @Enum({ items: () => [...TASK_STATUSES], type: 'string' }) status: (typeof TASK_STATUSES)[number] = 'new';
  @Property({ type: 'date', nullable: true }) dueDate?: string | null;
  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' }) assignee?: User | null;
  @ManyToOne(() => CrmCompany, { nullable: true, deleteRule: 'set null' }) crmCompany?: CrmCompany | null;
}
