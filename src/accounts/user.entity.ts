import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { CompanyScoped } from '../database/company-scope';
import { Company } from './company.entity';

export const ROLES = ['admin', 'director', 'user'] as const;
export type Role = (typeof ROLES)[number];

@Entity({ tableName: 'app_user' })
@CompanyScoped()
export class User {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => Company)
  company: Company;

  @Property({ type: 'string', length: 120 })
  name: string;

  /** Lower-cased; unique across the deployment because it is the sign-in name. */
  @Property({ type: 'string', length: 254, unique: true })
  email: string;

  @Enum({ items: () => [...ROLES], type: 'string' })
  role: Role;

  @Property({ type: 'string', nullable: true, hidden: true })
  passwordHash?: string | null;

  @Property({ type: 'string', nullable: true, hidden: true })
  inviteTokenHash?: string | null;

  @Property({ type: 'datetime', nullable: true })
  inviteExpiresAt?: Date | null;

  @Property({ type: 'boolean' })
  livechatConfigured = false;

  @Property({ type: 'boolean' })
  callbackConfigured = false;

  /** Of the operator's company only: answers the Help conversations of every company. */
  @Property({ type: 'boolean' })
  supportAgent = false;

  @Property({ type: 'boolean' })
  active = true;

  /** null: follow the browser's language. */
  @Property({ type: 'string', length: 5, nullable: true })
  locale?: string | null;

  @Property({ type: 'datetime' })
  createdAt = new Date();

  constructor(company: Company, name: string, email: string, role: Role) {
    this.company = company;
    this.name = name;
    this.email = email;
    this.role = role;
  }

  get canManageCompany(): boolean {
    return this.role === 'admin';
  }
}
