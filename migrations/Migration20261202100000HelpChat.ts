import { Migration } from '@mikro-orm/migrations';

export class Migration20261202100000HelpChat extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "conversation" drop constraint if exists "conversation_kind_check"`);
    this.addSql(`alter table "conversation" add constraint "conversation_kind_check" check ("kind" in ('direct', 'group', 'help'))`);
    // Operator users who answer the Help conversations of every company.
    this.addSql(`alter table "app_user" add column "support_agent" boolean not null default false`);
    // A support agent's message in a company's Help conversation: the agent is of the operator's company, not the author's.
    this.addSql(`alter table "message" add column "support_agent_id" int null references "app_user" ("id") on delete set null`);
    this.addSql(`create table "help_ticket" (
      "conversation_id" int primary key references "conversation" ("id") on delete cascade,
      "company_id" int not null references "company" ("id") on delete cascade,
      "user_id" int not null references "app_user" ("id") on delete cascade,
      "status" text not null default 'open' check ("status" in ('open', 'closed')),
      "waiting_since" timestamptz null,
      "last_message_at" timestamptz null,
      "last_excerpt" text null,
      "claimed_by_id" int null references "app_user" ("id") on delete set null,
      "claimed_at" timestamptz null,
      "closed_at" timestamptz null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "help_ticket_open" on "help_ticket" ("status", "waiting_since")`);
  }
}
