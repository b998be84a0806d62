import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const database = globalThis.__gwarTestDatabase;
  if (!database) return;
  await database.stop();
  await rm(database.dir, { recursive: true, force: true });
}
