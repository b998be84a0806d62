import { Migration } from '@mikro-orm/migrations';

export class Migration20261124020000Presence extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "presence" (
      "user_id" int primary key references "app_user" ("id") on delete cascade,
      "company_id" int not null references "company" ("id") on delete cascade,
      "status" text not null default 'available'
        check ("status" in ('available', 'livechat', 'callback', 'livechat-callback', 'invisible', 'offline', 'busy')),
      "last_seen_at" timestamptz null,
      "shown" text not null default 'offline')`);
    this.addSql(`create table "presence_socket" (
      "socket_id" varchar(64) primary key,
      "user_id" int not null references "app_user" ("id") on delete cascade,
      "company_id" int not null references "company" ("id") on delete cascade,
      "instance_id" varchar(64) not null,
      "seen_at" timestamptz not null default now())`);
    this.addSql(`create index "presence_socket_user" on "presence_socket" ("user_id", "seen_at")`);
    this.addSql(`create index "presence_socket_instance" on "presence_socket" ("instance_id")`);
  }
}
