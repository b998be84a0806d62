import { defineConfig } from '@mikro-orm/postgresql';
import { migrationsList } from './migrations';

interface PgConnection {
  query(sql: string, callback: (err: Error | null) => void): void;
}

/** `onQuery`, when given, hears every SQL statement: the tests count queries with it. */
export function ormConfig(url: string, schema: string, log: (message: string) => void = console.log, onQuery?: (sql: string) => void) {
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
    logger: onQuery ? (message: string) => (message.startsWith('[query]') ? onQuery(message) : log(message)) : log,
    debug: onQuery ? ['query'] : false,
    colors: false,
  });
}
