import { Migration } from '@mikro-orm/migrations';

export class Migration20261124050000MessageLinks extends Migration {
  override async up(): Promise<void> {
    // Which messages link to which CRM objects, so a change to an object reaches the conversations showing it.
    this.addSql(`create table "message_link" (
      "message_id" bigint not null references "message" ("id") on delete cascade,
      "conversation_id" int not null references "conversation" ("id") on delete cascade,
      "company_id" int not null references "company" ("id") on delete cascade,
      "kind" text not null,
      "object_id" int not null,
      primary key ("message_id", "kind", "object_id"))`);
    this.addSql(`create index "message_link_object" on "message_link" ("company_id", "kind", "object_id")`);
  }
}
