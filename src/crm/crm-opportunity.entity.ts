import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { User } from '../accounts/user.entity';
import { CompanyScoped } from '../database/company-scope';
import { CrmCompany } from './crm-company.entity';
import { CrmRecord } from './crm-record';

export const STAGES = ['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost'] as const;
export const CURRENCIES = ['PLN', 'EUR', 'USD', 'GBP', 'CHF', 'CZK'] as const;

@Entity({ tableName: 'crm_opportunity' })
@CompanyScoped()
export class CrmOpportunity extends CrmRecord {
  @Property({ type: 'decimal', precision: 14, scale: 2 }) value = '0';
  @Property({ type: 'string', length: 3 }) currency = 'PLN';
  @Enum({ items: () => [...STAGES], type: 'string' }) stage: (typeof STAGES)[number] = 'lead';
  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' }) owner?: User | null;
  @ManyToOne(() => CrmCompany, { nullable: true, deleteRule: 'set null' }) crmCompany?: CrmCompany | null;
}
