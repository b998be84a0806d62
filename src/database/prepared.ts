import { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs one of the statements every send or request runs as a named prepared statement, in the entity
 * manager's transaction if it has one. PostgreSQL then parses and plans it once per connection instead of on
 * every call: for the send's statement the planning took as long as the running (npm run bench). Parameters
 * are `?`; give each a type cast where PostgreSQL cannot infer it (a select list, say), as nothing is inlined.
 */
export async function prepared<T>(em: EntityManager, name: string, sql: string, params: unknown[]): Promise<T[]> {
  const query = em
    .getConnection()
    .getKnex()
    .raw(sql, params as never[])
    .options({ name });
  const ctx = em.getTransactionContext();
  if (ctx) query.transacting(ctx);
  const result = (await query) as { rows: T[] };
  return result.rows;
}
