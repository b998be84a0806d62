import type { EntityManager } from '@mikro-orm/postgresql';

/** A statement in the entity manager's transaction when it has one: the livechat tables are read and written in SQL. */
export function sql<T = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(text, params, 'all', em.getTransactionContext());
}

export function intArray(values: readonly number[]): string {
  return `{${values.map((v) => Math.trunc(v)).join(',')}}`;
}
