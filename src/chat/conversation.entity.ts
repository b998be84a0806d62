import { BigIntType, Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Company } from '../accounts/company.entity';
import { User } from '../accounts/user.entity';
import { CompanyScoped } from '../database/company-scope';

export type ConversationKind = 'direct' | 'group' | 'help';

@Entity({ tableName: 'conversation' })
@CompanyScoped()
export class Conversation {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => Company)
  company: Company;

  @Enum({ items: ['direct', 'group', 'help'], type: 'string' })
  kind: ConversationKind;

  @Property({ type: 'string', length: 100, nullable: true })
  name?: string | null;

  /** "<lower user id>:<higher user id>" for a one-to-one conversation, so there is only one per pair. */
  @Property({ type: 'string', length: 40, nullable: true })
  directKey?: string | null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  createdBy?: User | null;

  @Property({ type: 'datetime' })
  createdAt = new Date();

  @Property({ type: 'datetime', nullable: true })
  lastMessageAt?: Date | null;

  /** Bumped by every change to the conversation's messages; a page catches up from the last one it holds. */
  @Property({ type: new BigIntType('number') })
  changeSeq = 0;

  constructor(company: Company, kind: ConversationKind) {
    this.company = company;
    this.kind = kind;
  }
}

export function directKey(a: number, b: number): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}
