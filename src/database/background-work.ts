import { MikroORM, RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { COMPANY_FILTER } from './company-scope';

const pending = new Set<Promise<unknown>>();

/**
 * Work outside an HTTP request (socket events, pushes after a domain event) gets an entity manager of its own,
 * scoped to one company like a request is, and its failures are logged rather than thrown into an emitter.
 */
export async function inCompany(orm: MikroORM, companyId: number | null, logger: Logger, work: (em: EntityManager) => Promise<unknown>): Promise<void> {
  try {
    await forCompany(orm, companyId, work);
  } catch (err) {
    logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
}

/** The same context for work whose result (or failure) its caller wants: a socket event's answer. */
export async function forCompany<T>(orm: MikroORM, companyId: number | null, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const em = orm.em.fork() as EntityManager;
  if (companyId !== null) em.setFilterParams(COMPANY_FILTER, { companyId });
  const running = RequestContext.create(em, () => work(em));
  pending.add(running);
  try {
    return await running;
  } finally {
    pending.delete(running);
  }
}

/** Resolves once the background work started so far (and any it starts) has finished: shutdown waits for it before the database goes. */
export async function backgroundWorkDone(): Promise<void> {
  while (pending.size) await Promise.allSettled([...pending]);
}
