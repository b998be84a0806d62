import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000000Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "company" (
      "id" serial primary key,
      "name" varchar(200) not null,
      "plan" text not null check ("plan" in ('start', 'professional', 'enterprise', 'supreme')),
      "api_addon" boolean not null default false,
      "is_operator" boolean not null default false,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create unique index "company_single_operator" on "company" ("is_operator") where "is_operator"`);

    this.addSql(`create table "app_user" (
      "id" serial primary key,
      "company_id" int not null references "company" ("id") on delete cascade,
      "name" varchar(120) not null,
      "email" varchar(254) not null unique,
      "role" text not null check ("role" in ('admin', 'director', 'user')),
      "password_hash" text null,
      "invite_token_hash" varchar(64) null unique,
      "invite_expires_at" timestamptz null,
      "livechat_configured" boolean not null default false,
      "callback_configured" boolean not null default false,
      "active" boolean not null default true,
      "locale" varchar(5) null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "app_user_company_name" on "app_user" ("company_id", "name")`);

    this.addSql(`create table "user_session" (
      "token_hash" varchar(64) primary key,
      "user_id" int not null references "app_user" ("id") on delete cascade,
      "company_id" int not null references "company" ("id") on delete cascade,
      "created_at" timestamptz not null default now(),
      "expires_at" timestamptz not null,
      "user_agent" varchar(300) null)`);
    this.addSql(`create index "user_session_user" on "user_session" ("user_id")`);

    this.addSql(`create table "rate_limit_hit" (
      "key" varchar(300) not null,
      "window_start" timestamptz not null,
      "hits" int not null,
      primary key ("key", "window_start"))`);

    this.addSql(`create table "app_setting" ("key" varchar(100) primary key, "value" text not null)`);
  }
}
