import { Migration } from '@mikro-orm/migrations';

export class Migration20261201000000Hardening extends Migration {
  override async up(): Promise<void> {
    // rate-limiter-flexible's own table (its layout), shared by every instance; the home-made counters go.
    this.addSql(`create table "rate_limit" ("key" varchar(255) primary key, "points" integer not null default 0, "expire" bigint)`);
    this.addSql(`drop table "rate_limit_hit"`);
    // Open sockets are counted per session, so one session cannot hold an unbounded number.
    this.addSql(`alter table "presence_socket" add column "session_hash" varchar(64) null`);
    this.addSql(`create index "presence_socket_session" on "presence_socket" ("session_hash")`);
  }
}
