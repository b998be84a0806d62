import { BigIntType, Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Company } from '../accounts/company.entity';
import { CompanyScoped } from '../database/company-scope';
import { Conversation } from './conversation.entity';
import type { Message } from './message.entity';

/** A file sent in a message; its content lives in the file storage under `storageKey`. */
@Entity({ tableName: 'attachment' })
@CompanyScoped()
export class Attachment {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Company)
  company!: Company;

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  @ManyToOne('Message', { deleteRule: 'cascade' })
  message!: Message;

  @Property({ type: 'string', length: 100 }) storageKey!: string;
  @Property({ type: 'string', length: 100, nullable: true }) thumbKey?: string | null;
  @Property({ type: 'string', length: 255 }) name!: string;
  @Property({ type: new BigIntType('number') }) size!: number;
  @Property({ type: 'string', length: 100 }) mime!: string;
  @Property({ type: 'integer', nullable: true }) width?: number | null;
  @Property({ type: 'integer', nullable: true }) height?: number | null;
  @Property({ type: 'datetime' }) createdAt = new Date();
}
