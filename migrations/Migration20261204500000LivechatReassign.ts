import { Migration } from '@mikro-orm/migrations';

export class Migration20261204500000LivechatReassign extends Migration {
  override async up(): Promise<void> {
    // A director or an admin may move a chat that is not theirs: the transfer keeps who did it (none: its consultant).
    this.addSql(`alter table "livechat_transfer"
      add column "by_user_id" int null references "app_user" ("id") on delete set null,
      add column "by_name" varchar(120) not null default ''`);
  }
}
