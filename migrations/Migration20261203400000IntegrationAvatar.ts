import { Migration } from '@mikro-orm/migrations';

export class Migration20261203400000IntegrationAvatar extends Migration {
  override async up(): Promise<void> {
    // A 128×128 PNG of a few KB: kept in the row, so it goes with the integration and needs no file of its own.
    this.addSql(`alter table "integration" add column "avatar" bytea null, add column "avatar_updated_at" timestamptz null`);
  }
}
