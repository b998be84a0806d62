import { BigIntType, Collection, Entity, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/core';
import { Company } from '../accounts/company.entity';
import { User } from '../accounts/user.entity';
import { CompanyScoped } from '../database/company-scope';
import { Attachment } from './attachment.entity';
import { Conversation } from './conversation.entity';

export const MESSAGE_MAX_LENGTH = 10_000;

@Entity({ tableName: 'message' })
@CompanyScoped()
export class Message {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Company)
  company: Company;

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation: Conversation;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  author?: User | null;

  /** Made by the sending page, so a retried send finds the stored message instead of making a second. */
  @Property({ type: 'uuid' })
  clientId: string;

  @Property({ type: 'text' })
  body: string;

  @ManyToOne(() => Message, { nullable: true, deleteRule: 'set null' })
  replyTo?: Message | null;

  @Property({ type: 'datetime' })
  createdAt = new Date();

  @Property({ type: 'datetime', nullable: true })
  editedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;

  /** Posted through a group API token: the integration's own display name, shown instead of an author. */
  @Property({ type: 'string', length: 100, nullable: true })
  displayName?: string | null;

  @Property({ type: 'integer', nullable: true })
  apiTokenId?: number | null;

  @OneToMany(() => Attachment, (a) => a.message)
  attachments = new Collection<Attachment>(this);

  /** The conversation's change sequence at this message's last change (creation, edit or deletion). */
  @Property({ type: new BigIntType('number') })
  seq: number;

  constructor(conversation: Conversation, author: User | null, clientId: string, body: string, seq: number) {
    this.company = conversation.company;
    this.conversation = conversation;
    this.author = author;
    this.clientId = clientId;
    this.body = body;
    this.seq = seq;
  }
}
