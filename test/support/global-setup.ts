import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase, RunningDatabase } from '../../src/database/embedded-database';

declare global {
  // eslint-disable-next-line no-var
  var __gwarTestDatabase: (RunningDatabase & { dir: string }) | undefined;
}

/**
 * With DATABASE_URL the tests use that server; without it they start a throwaway embedded PostgreSQL,
 * so `npm test` passes on a machine with nothing else installed. Each test file then works in a schema of its own.
 */
export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  if (process.env.DATABASE_URL) {
    console.log(`\nTests use DATABASE_URL (${new URL(process.env.DATABASE_URL).host}), one fresh schema per test file.`);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'gwar-test-pg-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its directory
  const database = await startEmbeddedDatabase(dir, { detached: false }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  globalThis.__gwarTestDatabase = { ...database, dir };
  process.env.DATABASE_URL = database.url;
  console.log(`\nTests use an embedded PostgreSQL in ${dir}, one fresh schema per test file.`);
}
