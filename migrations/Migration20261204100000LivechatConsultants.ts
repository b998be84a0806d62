import { Migration } from '@mikro-orm/migrations';

export class Migration20261204100000LivechatConsultants extends Migration {
  override async up(): Promise<void> {
    // What the consultant sees of the visitor: the page they are on now (the widget's loader reports it as they
    // move), where they came from, and their browser.
    this.addSql(`alter table "livechat_visitor"
      add column "page_url" varchar(2000) null,
      add column "page_title" varchar(300) null,
      add column "page_at" timestamptz null,
      add column "referrer" varchar(2000) null,
      add column "user_agent" varchar(500) null`);
    // A neutral line in the log ("You are now talking to …"), seen by the visitor and the consultant alike.
    this.addSql(`alter table "livechat_message" drop constraint "livechat_message_author_check"`);
    this.addSql(`alter table "livechat_message" add constraint "livechat_message_author_check" check ("author" in ('visitor', 'consultant', 'system'))`);
    // Who handled a chat (answered it, or gave or took it in a transfer): what a consultant sees in "Livechat
    // conversations"; and when it was first answered (never answered and closed: missed).
    this.addSql(`alter table "livechat_chat" add column "handled_by" int[] not null default '{}', add column "answered_at" timestamptz null`);
    this.addSql(`update "livechat_chat" c set "answered_at" = m.first, "handled_by" = m.who
      from (select chat_id, min(created_at) as first, array_agg(distinct consultant_id) as who from livechat_message
             where author = 'consultant' and consultant_id is not null group by chat_id) m where m.chat_id = c.id`);
    this.addSql(`create index "livechat_chat_list" on "livechat_chat" ("company_id", "created_at" desc, "id" desc)`);
    this.addSql(`create index "livechat_chat_handled" on "livechat_chat" using gin ("handled_by")`);
    this.addSql(`create index "livechat_chat_visitor" on "livechat_chat" ("visitor_id", "created_at" desc)`);
    // Every transfer, with the note for the consultant who takes the chat over (never shown to the visitor).
    this.addSql(`create table "livechat_transfer" (
      "id" serial primary key,
      "company_id" int not null references "company" ("id") on delete cascade,
      "chat_id" int not null references "livechat_chat" ("id") on delete cascade,
      "from_user_id" int null references "app_user" ("id") on delete set null,
      "to_user_id" int null references "app_user" ("id") on delete set null,
      "from_name" varchar(120) not null default '',
      "to_name" varchar(120) not null default '',
      "note" varchar(1000) not null default '',
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "livechat_transfer_chat" on "livechat_transfer" ("chat_id", "created_at")`);
  }
}
