import { Migration } from '@mikro-orm/migrations';

export class Migration20261124030000GroupApiTokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "group_api_token" (
      "id" serial primary key,
      "company_id" int not null references "company" ("id") on delete cascade,
      "conversation_id" int not null unique references "conversation" ("id") on delete cascade,
      "token_hash" varchar(64) not null unique,
      "token_hint" varchar(16) not null,
      "allowed_origins" text not null default '',
      "created_by_id" int null references "app_user" ("id") on delete set null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`alter table "message" add column "api_token_id" int null references "group_api_token" ("id") on delete set null`);
    this.addSql(`alter table "message" add column "display_name" varchar(100) null`);
  }
}
