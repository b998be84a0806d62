import { Migration } from '@mikro-orm/migrations';

export class Migration20261202110000Integrations extends Migration {
  override async up(): Promise<void> {
    // An integration outlives its tokens: its messages keep their API badge and name through a revoke or a regenerate.
    this.addSql(`create table "integration" (
      "id" serial primary key,
      "company_id" int not null references "company" ("id") on delete cascade,
      "conversation_id" int not null unique references "conversation" ("id") on delete cascade,
      "name" varchar(100) not null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`alter table "group_api_token" add column "integration_id" int null references "integration" ("id") on delete cascade`);
    this.addSql(`alter table "message" add column "integration_id" int null references "integration" ("id") on delete set null`);
    this.addSql(`alter table "message" add column "integration_name" varchar(100) null`);
    // Every group that has a token, or messages an integration posted before a revoke stripped their token, gets its integration.
    this.addSql(`insert into "integration" ("company_id", "conversation_id", "name")
      select distinct c.company_id, c.id, 'Integration' from conversation c
       where exists (select 1 from group_api_token t where t.conversation_id = c.id)
          or exists (select 1 from message m where m.conversation_id = c.id and m.author_id is null and m.support_agent_id is null)`);
    this.addSql(`update "group_api_token" t set "integration_id" = i.id from "integration" i where i.conversation_id = t.conversation_id`);
    this.addSql(`update "message" m set "integration_id" = i.id, "integration_name" = i.name from "integration" i
      where i.conversation_id = m.conversation_id and m.author_id is null and m.support_agent_id is null`);
    this.addSql(`alter table "group_api_token" alter column "integration_id" set not null`);
    // Idempotency keys (IETF draft): one per integration and key for 24 hours, with the request they were first used for.
    this.addSql(`create table "api_idempotency_key" (
      "integration_id" int not null references "integration" ("id") on delete cascade,
      "key" varchar(200) not null,
      "company_id" int not null references "company" ("id") on delete cascade,
      "request_hash" varchar(64) not null,
      "message_id" bigint not null references "message" ("id") on delete cascade,
      "created_at" timestamptz not null default now(),
      primary key ("integration_id", "key"))`);
  }
}
