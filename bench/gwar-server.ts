import 'reflect-metadata';
import { AddressInfo } from 'node:net';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { announce, serve } from './ipc';

/**
 * The Gwar server as the bench runs it: a child process of its own (so that the load generator never shares
 * its event loop), built by createApp on the bench's database. With BENCH_COUNT_QUERIES=1 it counts every
 * SQL statement (MikroORM's query log costs time, so the load phases run without it).
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL!;
  const config = loadConfig({ ...process.env, LOG_REQUESTS: 'false' });
  let queries = 0;
  const onQuery = process.env.BENCH_COUNT_QUERIES === '1' ? () => void queries++ : undefined;
  const app = await createApp(config, databaseUrl, ['error'], onQuery);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  let stopping = false;
  process.once('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    app.close().finally(() => process.exit(0));
  });
  serve({ queries: () => queries });
  announce('ready', { port });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
