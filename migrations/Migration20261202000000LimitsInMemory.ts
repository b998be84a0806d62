import { Migration } from '@mikro-orm/migrations';

export class Migration20261202000000LimitsInMemory extends Migration {
  override async up(): Promise<void> {
    // The limits are counted in memory (one instance) or Redis (several): the table is no longer written.
    this.addSql(`drop table if exists "rate_limit"`);
  }
}
