import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { announce, serve } from './ipc';

/**
 * The Gwar server as the bench runs it: a child process of its own (so that the load generator never shares
 * its event loop), built by createApp on the bench's database. With BENCH_COUNT_QUERIES=1 it counts every
 * SQL statement (a listener on every query costs time, so the load phases run without it), and those of each
 * request that carries an X-Bench-Id header on their own (background work, say the presence heartbeat, apart).
 */
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL!;
  // The defaults npm start has: request logs on.
  const config = loadConfig(process.env);
  let queries = 0;
  const recent: string[] = [];
  const request = new AsyncLocalStorage<string>();
  const perRequest = new Map<string, number>();
  const onQuery =
    process.env.BENCH_COUNT_QUERIES === '1'
      ? (sql: string) => {
          queries++;
          recent.push(sql);
          if (recent.length > 50) recent.shift();
          const id = request.getStore();
          if (id) perRequest.set(id, (perRequest.get(id) ?? 0) + 1);
        }
      : undefined;
  const app = await createApp(config, databaseUrl, ['error'], onQuery);
  await app.listen(0, '127.0.0.1');
  const http = app.getHttpServer();
  const { port } = http.address() as AddressInfo;
  // Each request runs in a context named by its X-Bench-Id, where its statements are counted.
  const listeners = http.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const handle = () => listeners.forEach((listener) => listener.call(http, req, res));
    const id = req.headers['x-bench-id'];
    if (typeof id === 'string') request.run(id, handle);
    else handle();
  });
  let stopping = false;
  process.once('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    app.close().finally(() => process.exit(0));
  });
  // The ORM's connection pool (tarn, under knex): how many connections are busy and how many queries wait.
  const pool = (app.get(MikroORM).em.getConnection() as unknown as { getKnex(): { client: { pool: TarnPool } } }).getKnex().client.pool;
  if (process.env.BENCH_POOL_MAX) pool.max = Number(process.env.BENCH_POOL_MAX); // what-if runs only
  serve({
    queries: () => queries,
    /** The statements of the request with this X-Bench-Id (forgotten once read). */
    statements: (id: string) => {
      const n = perRequest.get(id) ?? 0;
      perRequest.delete(id);
      return n;
    },
    /** The last statements run. */
    recent: () => recent.splice(0),
    pool: () => ({ used: pool.numUsed(), free: pool.numFree(), waiting: pool.numPendingAcquires(), max: pool.max }),
  });
  announce('ready', { port });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
