import 'reflect-metadata';
import { createApp } from './app.factory';
import { loadConfig } from './config/app-config';
import { startEmbeddedDatabase } from './database/embedded-database';

const ORIGINS = { started: 'started', shared: 'shared with the process that started it', adopted: 'adopted from a process that stopped' };

async function main(): Promise<void> {
  const config = loadConfig();
  const database = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => undefined }
    : await startEmbeddedDatabase(config.dataDir, { port: config.embeddedPgPort });
  if ('origin' in database) console.log(`Embedded PostgreSQL serving ${config.dataDir}/pg (${ORIGINS[database.origin]})`);

  const app = await createApp(config, database.url);
  // One orderly shutdown: the app first, then its database.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping Gwar`);
    await app.close().catch((err: unknown) => console.error(err));
    await database.stop().catch((err: unknown) => console.error(err));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  await app.listen(config.port, config.host);
  console.log(`Gwar is listening on http://localhost:${config.port}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
