import { Entity, Property } from '@mikro-orm/core';
import { CompanyScoped } from '../database/company-scope';
import { CrmRecord } from './crm-record';

@Entity({ tableName: 'crm_company' })
@CompanyScoped()
export class CrmCompany extends CrmRecord {
  @Property({ type: 'string', length: 40 }) taxId = '';
  @Property({ type: 'string', length: 300 }) address = '';
  @Property({ type: 'string', length: 40 }) phone = '';
  @Property({ type: 'string', length: 254 }) email = '';
  @Property({ type: 'string', length: 300 }) website = '';
}
