import { Migration } from '@mikro-orm/migrations';

export class Migration20261203300000Livechat extends Migration {
  override async up(): Promise<void> {
    // One widget per company: its public key names it in the snippet, the loader and every visitor URL.
    this.addSql(`create table "livechat_settings" (
      "company_id" int primary key references "company" ("id") on delete cascade,
      "public_key" text not null unique,
      "enabled" boolean not null default false,
      "title" varchar(80) not null default '',
      "greeting" varchar(500) not null default '',
      "colour" varchar(7) not null default '#1d4ed8' check ("colour" ~ '^#[0-9a-f]{6}$'),
      "origins" text[] not null default '{}',
      "name_field" text not null default 'optional' check ("name_field" in ('off', 'optional', 'required')),
      "email_field" text not null default 'optional' check ("email_field" in ('off', 'optional', 'required')),
      "consent" varchar(500) not null default '',
      "offline_text" varchar(1000) not null default '',
      "max_chats" int not null default 3 check ("max_chats" between 1 and 50),
      "reroute_seconds" int not null default 60 check ("reroute_seconds" between 1 and 3600),
      "retention_days" int not null default 90 check ("retention_days" between 1 and 3650),
      "updated_at" timestamptz not null default now())`);
    // A visitor is known only by the hash of a token the server issued.
    this.addSql(`create table "livechat_visitor" (
      "id" serial primary key,
      "company_id" int not null references "company" ("id") on delete cascade,
      "token_hash" text not null unique,
      "name" varchar(120) null,
      "email" varchar(254) null,
      "created_at" timestamptz not null default now(),
      "last_seen_at" timestamptz not null default now())`);
    this.addSql(`create index "livechat_visitor_company" on "livechat_visitor" ("company_id", "last_seen_at")`);
    this.addSql(`create table "livechat_chat" (
      "id" serial primary key,
      "public_id" text not null unique,
      "company_id" int not null references "company" ("id") on delete cascade,
      "visitor_id" int not null references "livechat_visitor" ("id") on delete cascade,
      "status" text not null default 'waiting' check ("status" in ('waiting', 'assigned', 'active', 'closed')),
      "consultant_id" int null references "app_user" ("id") on delete set null,
      "passed_by" int[] not null default '{}',
      "queued_at" timestamptz not null default now(),
      "assigned_at" timestamptz null,
      "answer_deadline" timestamptz null,
      "seq" bigint not null default 0,
      "last_message_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "closed_at" timestamptz null,
      "rating" smallint null check ("rating" between 1 and 5),
      "rating_comment" varchar(1000) null)`);
    this.addSql(`create unique index "livechat_chat_one_open" on "livechat_chat" ("visitor_id") where "status" <> 'closed'`);
    this.addSql(`create index "livechat_chat_queue" on "livechat_chat" ("company_id", "queued_at") where "status" = 'waiting'`);
    this.addSql(`create index "livechat_chat_consultant" on "livechat_chat" ("consultant_id") where "status" in ('assigned', 'active')`);
    this.addSql(`create index "livechat_chat_open" on "livechat_chat" ("company_id") where "status" <> 'closed'`);
    this.addSql(`create table "livechat_message" (
      "id" bigserial primary key,
      "company_id" int not null references "company" ("id") on delete cascade,
      "chat_id" int not null references "livechat_chat" ("id") on delete cascade,
      "seq" bigint not null,
      "author" text not null check ("author" in ('visitor', 'consultant')),
      "consultant_id" int null references "app_user" ("id") on delete set null,
      "author_name" varchar(120) not null default '',
      "client_id" uuid not null,
      "body" text not null,
      "created_at" timestamptz not null default now(),
      unique ("chat_id", "client_id"),
      unique ("chat_id", "seq"))`);
    // When each consultant last got a chat: the longest-waiting consultant gets the next one among equals.
    this.addSql(`create table "livechat_consultant" (
      "user_id" int primary key references "app_user" ("id") on delete cascade,
      "company_id" int not null references "company" ("id") on delete cascade,
      "last_assigned_at" timestamptz null)`);
    // What a visitor leaves when nobody is on duty.
    this.addSql(`create table "livechat_left_message" (
      "id" serial primary key,
      "company_id" int not null references "company" ("id") on delete cascade,
      "visitor_id" int null references "livechat_visitor" ("id") on delete set null,
      "name" varchar(120) not null default '',
      "email" varchar(254) not null default '',
      "body" text not null,
      "created_at" timestamptz not null default now())`);
  }
}
