import { Migration } from '@mikro-orm/migrations';

export class Migration20261203100000ConversationMute extends Migration {
  override async up(): Promise<void> {
    // Muted is the member's own choice: the badge still counts, the chime and the desktop notification stay away.
    this.addSql(`alter table "conversation_member" add column "muted" boolean not null default false`);
  }
}
