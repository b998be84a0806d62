import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/app-config';

export interface TestApp {
  app: NestExpressApplication;
  url: string;
  config: AppConfig;
  /** A fresh entity manager for arranging and checking data, outside any request. */
  em(): EntityManager;
  /** Every SQL statement the app ran, when started with { countQueries: true }. */
  queries: string[];
  close(): Promise<void>;
}

/**
 * Test files run in parallel, each on its own schema. The migrator lists every schema's tables when an app
 * starts, and fails on a schema another file is dropping at that moment: starts share a lock, a drop takes it alone.
 */
const SCHEMA_LOCK = 7_240_001;

export async function underSchemaLock<T>(databaseUrl: string, mode: 'shared' | 'exclusive', work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(mode === 'shared' ? 'select pg_advisory_lock_shared($1)' : 'select pg_advisory_lock($1)', [SCHEMA_LOCK]);
    return await work(client);
  } finally {
    await client.end(); // the lock ends with the session
  }
}

/** The whole app, listening on a random port, on a schema of its own that is dropped afterwards. */
export async function startTestApp(env: Record<string, string> = {}, options: { countQueries?: boolean } = {}): Promise<TestApp> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is set by test/support/global-setup.ts');
  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  // Counted statements must be the request's own: the Livechat and Callback sweeps' ticks would land among them.
  const quiet = options.countQueries ? { LIVECHAT_SWEEP_MS: '3600000', CALLBACK_SWEEP_MS: '3600000' } : {};
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_SCHEMA: schema, LOG_REQUESTS: 'false', ...quiet, ...env });
  const queries: string[] = [];
  const app = await underSchemaLock(databaseUrl, 'shared', () =>
    createApp(config, databaseUrl, ['error'], options.countQueries ? (sql) => queries.push(sql) : undefined),
  );
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const orm = app.get(MikroORM);
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    em: () => orm.em.fork() as EntityManager,
    queries,
    close: async () => {
      await app.close();
      await underSchemaLock(databaseUrl, 'exclusive', (admin) => admin.query(`drop schema if exists "${schema}" cascade`));
    },
  };
}
