import 'reflect-metadata';
import { loadConfig } from './config/app-config';
import { RunningDatabase, startEmbeddedDatabase } from './database/embedded-database';
import { stopDatabaseOnSignals, stopOnSignals } from './web/graceful-shutdown';

const ORIGINS = { started: 'started', shared: 'shared with the process that started it', adopted: 'adopted: the process that started it is gone' };

async function main(): Promise<void> {
  const config = loadConfig();
  let launched!: () => void;
  const launching = new Promise<void>((resolve) => (launched = resolve));
  const starting: Promise<Pick<RunningDatabase, 'url' | 'stop'> & Partial<RunningDatabase>> = config.databaseUrl
    ? Promise.resolve({ url: config.databaseUrl, stop: async () => undefined })
    : startEmbeddedDatabase(config.dataDir, { port: config.embeddedPgPort, onLaunch: launched });
  await Promise.race([launching, starting]);
  // Loading the app's modules is most of a start: it runs while PostgreSQL gets ready in its own process.
  const { createApp } = await import('./app.factory');
  const database = await starting;
  if (database.origin) console.log(`Embedded PostgreSQL serving ${config.dataDir}/pg (${ORIGINS[database.origin]})`);
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
