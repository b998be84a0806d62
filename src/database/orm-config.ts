import { defineConfig } from '@mikro-orm/postgresql';
import { migrationsList } from './migrations';

interface PgConnection {
  query(sql: string, callback: (err: Error | null) => void): void;
}

export function ormConfig(url: string, schema: string, log: (message: string) => void = console.log) {
  return defineConfig({
    clientUrl: url,
    schema,
    discovery: { warnWhenNoEntities: false },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    pool: {
      min: 0,
      max: 10,
      // Unqualified names in migrations and raw SQL land in the configured schema.
      afterCreate: (conn: PgConnection, done: (err: Error | null, conn: PgConnection) => void) =>
        conn.query(`set search_path to "${schema}"`, (err) => done(err, conn)),
    },
    migrations: { migrationsList, tableName: 'mikro_orm_migrations', transactional: true, allOrNothing: true, snapshot: false },
    logger: log,
    debug: false,
    colors: false,
  });
}
