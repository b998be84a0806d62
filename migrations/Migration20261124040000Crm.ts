import { Migration } from '@mikro-orm/migrations';

export class Migration20261124040000Crm extends Migration {
  override async up(): Promise<void> {
    const common = `
      "id" serial primary key,
      "company_id" int not null references "company" ("id") on delete cascade,
      "source_message_id" bigint null references "message" ("id") on delete set null,
      "created_by_id" int null references "app_user" ("id") on delete set null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now()`;
    this.addSql(`create table "crm_company" (${common},
      "name" varchar(200) not null,
      "tax_id" varchar(40) not null default '',
      "address" varchar(300) not null default '',
      "phone" varchar(40) not null default '',
      "email" varchar(254) not null default '',
      "website" varchar(300) not null default '')`);
    this.addSql(`create table "crm_task" (${common},
      "name" varchar(200) not null,
      "description" text not null default '',
      "status" text not null default 'new' check ("status" in ('new', 'in_progress', 'done', 'cancelled')),
      "due_date" date null,
      "assignee_id" int null references "app_user" ("id") on delete set null,
      "crm_company_id" int null references "crm_company" ("id") on delete set null)`);
    this.addSql(`create table "crm_note" (${common},
      "name" varchar(200) not null,
      "text" text not null,
      "crm_company_id" int null references "crm_company" ("id") on delete set null)`);
    this.addSql(`create table "crm_opportunity" (${common},
      "name" varchar(200) not null,
      "value" numeric(14, 2) not null default 0,
      "currency" char(3) not null default 'PLN',
      "stage" text not null default 'lead' check ("stage" in ('lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost')),
      "owner_id" int null references "app_user" ("id") on delete set null,
      "crm_company_id" int null references "crm_company" ("id") on delete set null)`);
    for (const table of ['crm_company', 'crm_task', 'crm_note', 'crm_opportunity']) {
      this.addSql(`create index "${table}_company_id" on "${table}" ("company_id", "id")`);
      this.addSql(`create index "${table}_company_name" on "${table}" ("company_id", lower("name"))`);
    }
  }
}
