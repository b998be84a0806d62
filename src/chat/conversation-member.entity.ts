import { BigIntType, Entity, ManyToOne, PrimaryKeyProp, Property } from '@mikro-orm/core';
import { Company } from '../accounts/company.entity';
import { User } from '../accounts/user.entity';
import { CompanyScoped } from '../database/company-scope';
import { Conversation } from './conversation.entity';

@Entity({ tableName: 'conversation_member' })
@CompanyScoped()
export class ConversationMember {
  [PrimaryKeyProp]?: ['conversation', 'user'];

  @ManyToOne(() => Conversation, { primary: true, deleteRule: 'cascade' })
  conversation: Conversation;

  @ManyToOne(() => User, { primary: true, deleteRule: 'cascade' })
  user: User;

  @ManyToOne(() => Company)
  company: Company;

  @Property({ type: 'datetime' })
  joinedAt = new Date();

  /** Everything up to this message id is read; unread counts are derived from it, so they cannot get stuck. */
  @Property({ type: new BigIntType('number') })
  lastReadMessageId = 0;

  /** No chime and no desktop notification for this conversation; its badge still counts. */
  @Property({ type: 'boolean' })
  muted = false;

  constructor(conversation: Conversation, user: User) {
    this.conversation = conversation;
    this.user = user;
    this.company = conversation.company;
  }
}
