import { defineConfig } from '@mikro-orm/postgresql';
import { migrationsList } from './migrations';

/** Unqualified names in migrations land in the configured schema through the connection's search_path. */
export function withSearchPath(url: string, schema: string): string {
  if (schema === 'public') return url;
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

export function ormConfig(url: string, schema: string) {
  return defineConfig({
    clientUrl: withSearchPath(url, schema),
    schema,
    discovery: { warnWhenNoEntities: false },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    migrations: { migrationsList, tableName: 'mikro_orm_migrations', transactional: true, allOrNothing: true },
    debug: false,
  });
}
