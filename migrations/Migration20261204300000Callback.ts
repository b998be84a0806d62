import { Migration } from '@mikro-orm/migrations';

export class Migration20261204300000Callback extends Migration {
  override async up(): Promise<void> {
    // A company's Callback: made (off) the first time an admin looks at it. Delays in seconds, so a test can shorten them.
    this.addSql(`create table "callback_settings" (
      "company_id" int primary key references "company" ("id") on delete cascade,
      "enabled" boolean not null default false,
      "default_country" varchar(2) not null default 'PL' check ("default_country" ~ '^[A-Z]{2}$'),
      "sla_minutes" int not null default 15 check ("sla_minutes" between 1 and 1440),
      "retry_seconds" int not null default 600 check ("retry_seconds" between 1 and 86400),
      "max_attempts" int not null default 3 check ("max_attempts" between 1 and 10),
      "claim_seconds" int not null default 600 check ("claim_seconds" between 10 and 86400),
      "time_zone" varchar(64) not null default 'Europe/Warsaw',
      "work_days" int[] not null default '{1,2,3,4,5}',
      "work_start" varchar(5) not null default '08:00' check ("work_start" ~ '^[0-2][0-9]:[0-5][0-9]$'),
      "work_end" varchar(5) not null default '17:00' check ("work_end" ~ '^[0-2][0-9]:[0-5][0-9]$'),
      "daily_limit" int not null default 500 check ("daily_limit" between 1 and 100000),
      "challenge_after" int not null default 3 check ("challenge_after" between 1 and 1000),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create table "callback_request" (
      "id" serial primary key,
      "company_id" int not null references "company" ("id") on delete cascade,
      "phone" varchar(16) not null check ("phone" ~ '^\\+[1-9][0-9]{4,14}$'),
      "name" varchar(120) not null default '',
      "topic" varchar(500) not null default '',
      "preferred_at" timestamptz null,
      "source" text not null check ("source" in ('widget', 'livechat', 'api')),
      "source_page" varchar(2000) not null default '',
      "consent" boolean not null default false,
      "status" text not null default 'waiting' check ("status" in ('waiting', 'calling', 'done', 'unreachable', 'wrong_number', 'cancelled')),
      "attempts" int not null default 0,
      "consultant_id" int null references "app_user" ("id") on delete set null,
      "claimed_at" timestamptz null,
      "claim_deadline" timestamptz null,
      "not_before" timestamptz null,
      "due_at" timestamptz not null,
      "asked_count" int not null default 1,
      "asked_again_at" timestamptz null,
      "first_call_at" timestamptz null,
      "closed_at" timestamptz null,
      "note" varchar(2000) not null default '',
      "created_at" timestamptz not null default now())`);
    // One open request per number: a repeat joins it (insert … on conflict).
    this.addSql(`create unique index "callback_request_one_open" on "callback_request" ("company_id", "phone") where "status" in ('waiting', 'calling')`);
    this.addSql(`create index "callback_request_queue" on "callback_request" ("company_id", "due_at") where "status" in ('waiting', 'calling')`);
    this.addSql(`create index "callback_request_history" on "callback_request" ("company_id", "created_at" desc)`);
    this.addSql(`create index "callback_request_claims" on "callback_request" ("claim_deadline") where "status" = 'calling'`);
    this.addSql(`create index "callback_request_returns" on "callback_request" ("not_before") where "status" = 'waiting' and "not_before" is not null`);
  }
}
