import { Migration } from '@mikro-orm/migrations';

export class Migration20261202130000TokenScopes extends Migration {
  override async up(): Promise<void> {
    // Tokens made before scopes could only post: they keep exactly that.
    this.addSql(`alter table "group_api_token" add column "scopes" text not null default 'post'`);
  }
}
