import { Migration } from '@mikro-orm/migrations';

const TABLES = ['crm_company', 'crm_task', 'crm_note', 'crm_opportunity'];

/**
 * A CRM record made from a chat message names that message, so that its page can link back to it. The column came
 * with the CRM tables; this makes sure of it on every database and indexes it: deleting a group deletes its
 * messages, and each one would otherwise scan all four tables to clear the records that named it.
 */
export class Migration20261203200000CrmSourceMessage extends Migration {
  override async up(): Promise<void> {
    for (const table of TABLES) {
      this.addSql(`alter table "${table}" add column if not exists "source_message_id" bigint null references "message" ("id") on delete set null`);
      this.addSql(`create index if not exists "${table}_source_message" on "${table}" ("source_message_id") where "source_message_id" is not null`);
    }
  }

  override async down(): Promise<void> {
    for (const table of TABLES) this.addSql(`drop index if exists "${table}_source_message"`);
  }
}
