import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Company } from '../accounts/company.entity';
import { CompanyScoped } from '../database/company-scope';

export const LIST_VIEWS = ['name', 'avatar-name', 'avatar'] as const;
export const OPEN_IN = ['window', 'main'] as const;
export const SORT_BY = ['alpha', 'activity'] as const;

export interface OpenWindow {
  conversationId: number;
  maximized: boolean;
  /** The maximized window shown in front of the others (its tab selected). */
  front?: boolean;
  x?: number;
  y?: number;
}

/** The panel's settings, one row per user, kept on the server so they follow the user everywhere. */
@Entity({ tableName: 'chat_settings' })
@CompanyScoped()
export class ChatSettings {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  userId: number;

  @ManyToOne(() => Company)
  company: Company;

  @Property({ type: 'boolean' })
  collapsed = false;

  @Enum({ items: () => [...LIST_VIEWS], type: 'string' })
  listView: (typeof LIST_VIEWS)[number] = 'avatar-name';

  @Enum({ items: () => [...OPEN_IN], type: 'string' })
  openIn: (typeof OPEN_IN)[number] = 'window';

  @Enum({ items: () => [...SORT_BY], type: 'string' })
  sortBy: (typeof SORT_BY)[number] = 'alpha';

  @Property({ type: 'boolean' })
  splitTabs = false;

  @Property({ type: 'boolean' })
  sound = true;

  @Property({ type: 'integer' })
  windowWidth = 420;

  @Property({ type: 'integer' })
  windowHeight = 520;

  @Property({ type: 'json' })
  openWindows: OpenWindow[] = [];

  constructor(userId: number, company: Company) {
    this.userId = userId;
    this.company = company;
  }
}
