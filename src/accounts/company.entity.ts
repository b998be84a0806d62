import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';

import { Plan, PLANS } from './plans';

export { PLANS };
export type { Plan };

@Entity({ tableName: 'company' })
export class Company {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 200 })
  name: string;

  @Enum({ items: () => [...PLANS], type: 'string' })
  plan: Plan;

  @Property({ type: 'boolean' })
  apiAddon: boolean;

  /** The company that runs this deployment: its admins create the other companies. */
  @Property({ type: 'boolean' })
  isOperator = false;

  @Property({ type: 'datetime' })
  createdAt = new Date();

  constructor(name: string, plan: Plan, apiAddon: boolean) {
    this.name = name;
    this.plan = plan;
    this.apiAddon = apiAddon;
  }
}
