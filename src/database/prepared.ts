import { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from 'knex';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** `?` placeholders as PostgreSQL's `$n`, once per statement name. */
const numbered = new Map<string, string>();

function toNumbered(name: string, sql: string): string {
  let text = numbered.get(name);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(name, text);
  }
  return text;
}

/**
 * Runs one of the statements every send or request runs as a named prepared statement, in the entity
 * manager's transaction if it has one. PostgreSQL then parses and plans it once per connection instead of on
 * every call: for the send's statement the planning took as long as the running (npm run bench). Parameters
 * are `?` (the SQL holds no other question mark); give each a type cast where PostgreSQL cannot infer it (a
 * select list, say), as nothing is inlined.
 *
 * Outside a transaction the statement goes straight to a pooled connection's driver: knex's query builder,
 * runner and MikroORM's wrapper cost the server more CPU than the driver itself on these short statements
 * (npm run bench --profile). It still announces itself as knex's `query` event, where the tests count statements.
 */
export async function prepared<T>(em: EntityManager, name: string, sql: string, params: unknown[]): Promise<T[]> {
  const knex = em.getConnection().getKnex();
  const ctx = em.getTransactionContext<Knex.Transaction>();
  if (ctx) {
    const query = knex
      .raw(sql, params as never[])
      .options({ name })
      .transacting(ctx);
    return ((await query) as { rows: T[] }).rows;
  }
  return direct<T>(knex, name, sql, params);
}

/** The same without an entity manager, for work that has only the ORM's connection (a batch of sends). */
export async function direct<T>(knex: Knex, name: string, sql: string, params: unknown[]): Promise<T[]> {
  const text = toNumbered(name, sql);
  // Its own name: knex may have prepared the statement under the plain name, with its own numbering, on this connection.
  const config = { name: `d:${name}`, text, values: params };
  if (knex.listenerCount('query')) knex.emit('query', { sql: text, bindings: params });
  const client = knex.client as { acquireConnection(): Promise<PgClient>; releaseConnection(c: PgClient): Promise<void> };
  const connection = await client.acquireConnection();
  try {
    return (await connection.query(config)).rows as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}
