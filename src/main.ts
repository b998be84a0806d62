import 'reflect-metadata';
import { createApp } from './app.factory';
import { loadConfig } from './config/app-config';
import { startEmbeddedDatabase } from './database/embedded-database';
import { stopDatabaseOnSignals, stopOnSignals } from './web/graceful-shutdown';

const ORIGINS = { started: 'started', shared: 'shared with the process that started it', adopted: 'adopted from a process that stopped' };

async function main(): Promise<void> {
  const config = loadConfig();
  const database = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => undefined }
    : await startEmbeddedDatabase(config.dataDir, { port: config.embeddedPgPort });
  if ('origin' in database) console.log(`Embedded PostgreSQL serving ${config.dataDir}/pg (${ORIGINS[database.origin]})`);
  stopDatabaseOnSignals(database.stop);

  const app = await createApp(config, database.url);
  stopOnSignals(app, database.stop);
  await app.listen(config.port, config.host);
  console.log(`Gwar is listening on http://localhost:${config.port}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
