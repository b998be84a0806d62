import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { CompanyScoped } from '../database/company-scope';
import { CrmCompany } from './crm-company.entity';
import { CrmRecord } from './crm-record';

/** A note's name is its first line, kept so that lists and links can show it. */
@Entity({ tableName: 'crm_note' })
@CompanyScoped()
export class CrmNote extends CrmRecord {
  @Property({ type: 'text' }) text = '';
  @ManyToOne(() => CrmCompany, { nullable: true, deleteRule: 'set null' }) crmCompany?: CrmCompany | null;
}
