import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Company } from '../accounts/company.entity';
import { User } from '../accounts/user.entity';
import { Conversation } from '../chat/conversation.entity';
import { CompanyScoped } from '../database/company-scope';
import { Integration } from './integration.entity';

export const SCOPES = ['post', 'edit', 'read', 'files'] as const;
export type Scope = (typeof SCOPES)[number];

/** One token per group; only its hash is kept. Regenerating replaces the row, so the old token stops at once. */
@Entity({ tableName: 'group_api_token' })
@CompanyScoped()
export class GroupApiToken {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => Company)
  company: Company;

  @ManyToOne(() => Conversation, { unique: true, deleteRule: 'cascade' })
  conversation: Conversation;

  /** Whose token it is: the integration stays when the token is revoked or replaced. */
  @ManyToOne(() => Integration, { deleteRule: 'cascade' })
  integration: Integration;

  @Property({ type: 'string', length: 64, unique: true })
  tokenHash: string;

  /** The token's first characters, so an admin can tell which one a website uses. */
  @Property({ type: 'string', length: 16 })
  tokenHint: string;

  /** Website origins allowed to call with this token from a browser, one per line; empty: none. */
  @Property({ type: 'text' })
  allowedOrigins = '';

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  createdBy?: User | null;

  @Property({ type: 'datetime' })
  createdAt = new Date();

  constructor(integration: Integration, tokenHash: string, tokenHint: string) {
    this.company = integration.company;
    this.conversation = integration.conversation;
    this.integration = integration;
    this.tokenHash = tokenHash;
    this.tokenHint = tokenHint;
  }

  /** What the token may do, space-separated: post, edit (its own messages), read (the group's history), files. */
  @Property({ type: 'text' })
  scopes = 'post';

  get scopeList(): Scope[] {
    return this.scopes.split(/\s+/).filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  }

  get origins(): string[] {
    return this.allowedOrigins.split(/\s+/).filter(Boolean);
  }
}
