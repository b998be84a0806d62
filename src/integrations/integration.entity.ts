import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Company } from '../accounts/company.entity';
import { Conversation } from '../chat/conversation.entity';
import { CompanyScoped } from '../database/company-scope';

/**
 * What posts into a group through its API token: a bot identity of its own. It outlives its tokens (a revoke
 * or a regenerate replaces only the token), so its messages keep the API badge and its name, and so do its
 * idempotency keys.
 */
@Entity({ tableName: 'integration' })
@CompanyScoped()
export class Integration {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => Company)
  company: Company;

  @ManyToOne(() => Conversation, { unique: true, deleteRule: 'cascade' })
  conversation: Conversation;

  @Property({ type: 'string', length: 100 })
  name: string;

  @Property({ type: 'datetime' })
  createdAt = new Date();

  /** An uploaded picture (a 128×128 PNG); without one the integration's avatar is drawn from its name. */
  @Property({ type: 'blob', nullable: true, lazy: true })
  avatar?: Buffer | null;

  @Property({ type: 'datetime', nullable: true })
  avatarUpdatedAt?: Date | null;

  constructor(conversation: Conversation, name: string) {
    this.company = conversation.company;
    this.conversation = conversation;
    this.name = name;
  }
}
