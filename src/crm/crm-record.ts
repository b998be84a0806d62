import { BigIntType, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Company } from '../accounts/company.entity';
import { User } from '../accounts/user.entity';

/** What every CRM object has: its company, who made it, when, and the chat message it was made from. */
export abstract class CrmRecord {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => Company)
  company!: Company;

  @Property({ type: 'string', length: 200 })
  name = '';

  @Property({ type: new BigIntType('number'), nullable: true })
  sourceMessageId?: number | null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  createdBy?: User | null;

  @Property({ type: 'datetime' })
  createdAt = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt = new Date();
}
