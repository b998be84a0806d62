import { Migration } from '@mikro-orm/migrations';

export class Migration20261204200000LivechatWidget extends Migration {
  override async up(): Promise<void> {
    // Working hours: per weekday (0 Sunday … 6 Saturday) "HH:MM-HH:MM" or null for closed, in the widget's time
    // zone; null as a whole means always open (the widget's behaviour until now).
    this.addSql(`alter table "livechat_settings" add column "hours" jsonb null, add column "time_zone" text not null default 'Europe/Warsaw'`);
    // The secret a website signs its visitors' e-mails with (HMAC-SHA256, hex): made by the code the first time
    // the settings are read (the database has no CSPRNG of its own here), regenerable by the admin.
    this.addSql(`alter table "livechat_settings" add column "identity_secret" text null`);
    this.addSql(`alter table "livechat_visitor" add column "verified" boolean not null default false`);
    // A phone number left on the offline form (the Callback request's seam).
    this.addSql(`alter table "livechat_left_message" add column "phone" varchar(32) not null default ''`);
    // A file of a chat: the message that carries it, the stored bytes and the thumbnail. Its public id is what
    // URLs name; the rows go with their chat (and the chat with its visitor), the stored bytes are removed by the code.
    this.addSql(`create table "livechat_file" (
      "id" bigserial primary key,
      "public_id" text not null unique,
      "company_id" int not null references "company" ("id") on delete cascade,
      "chat_id" int not null references "livechat_chat" ("id") on delete cascade,
      "message_id" bigint not null unique references "livechat_message" ("id") on delete cascade,
      "storage_key" text not null,
      "thumb_key" text null,
      "name" varchar(255) not null,
      "size" bigint not null,
      "mime" text not null,
      "width" int null,
      "height" int null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "livechat_file_chat" on "livechat_file" ("chat_id")`);
    // Proof-of-work solutions already used: a replay is refused until the challenge has expired anyway.
    this.addSql(`create table "livechat_pow_used" ("id" text primary key, "expires_at" timestamptz not null)`);
  }
}
