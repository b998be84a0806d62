import { BigIntType, Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Company } from '../accounts/company.entity';
import { User } from '../accounts/user.entity';
import { CompanyScoped } from '../database/company-scope';

export type NotificationKind = 'group_added' | 'task_assigned' | 'mentioned';

/** One line in a user's notification list; the text is made from `kind` and `params` in the reader's language. */
@Entity({ tableName: 'notification' })
@CompanyScoped()
export class Notification {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Company)
  company: Company;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user: User;

  @Property({ type: 'string' })
  kind: NotificationKind;

  @Property({ type: 'json' })
  params: Record<string, string>;

  @Property({ type: 'string', length: 300 })
  href: string;

  @Property({ type: 'datetime' })
  createdAt = new Date();

  @Property({ type: 'datetime', nullable: true })
  readAt?: Date | null;

  constructor(company: Company, user: User, kind: NotificationKind, params: Record<string, string>, href: string) {
    this.company = company;
    this.user = user;
    this.kind = kind;
    this.params = params;
    this.href = href;
  }
}
