import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Company } from './company.entity';
import { User } from './user.entity';

/** Looked up by the hash of the cookie's token, before any company is known, so it is not company-scoped. */
@Entity({ tableName: 'user_session' })
export class Session {
  @PrimaryKey({ type: 'string', length: 64 })
  tokenHash: string;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user: User;

  @ManyToOne(() => Company, { deleteRule: 'cascade' })
  company: Company;

  @Property({ type: 'datetime' })
  createdAt = new Date();

  @Property({ type: 'datetime' })
  expiresAt: Date;

  @Property({ type: 'string', length: 300, nullable: true })
  userAgent?: string | null;

  constructor(tokenHash: string, user: User, expiresAt: Date) {
    this.tokenHash = tokenHash;
    this.user = user;
    this.company = user.company;
    this.expiresAt = expiresAt;
  }
}
