import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { startEmbeddedDatabase, RunningDatabase } from '../src/database/embedded-database';

/**
 * The bench's PostgreSQL: DATABASE_URL when set (the bench works in a schema of its own and drops it), or an
 * embedded one in a temporary directory (removed at the end).
 */
export interface BenchDatabase {
  url: string;
  schema: string;
  embedded: boolean;
  /** The temporary directory: the embedded data lives in `dir/pg`; the built server for the cold start too. */
  dir: string;
  pool: Pool;
  /** Stops the embedded server (the cold start then starts it again through src/main.ts). */
  stopServer(): Promise<void>;
  /** CPU seconds PostgreSQL has used so far, when it runs on this machine (embedded); null otherwise. */
  cpuSeconds(): number | null;
  cleanUp(): Promise<void>;
}

export async function openDatabase(): Promise<BenchDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'gwar-bench-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its directory
  const external = process.env.DATABASE_URL;
  let running: RunningDatabase | undefined;
  if (!external) running = await startEmbeddedDatabase(dir, { detached: false }); // in our process group: Ctrl+C takes it down too
  const url = external ?? running!.url;
  const schema = external ? `gwar_bench_${process.pid}` : 'gwar_bench';
  const admin = new Pool({ connectionString: url, max: 1 });
  await admin.query(`create schema if not exists "${schema}"`);
  await admin.end();
  const pool = new Pool({ connectionString: url, max: 8, options: `-c search_path=${schema}` });
  let stopped = false;
  return {
    url,
    schema,
    embedded: !external,
    dir,
    pool,
    stopServer: async () => {
      if (stopped) return;
      stopped = true;
      await pool.end();
      await running?.stop();
    },
    cpuSeconds: () => (running ? postgresCpuSeconds(join(dir, 'pg')) : null),
    cleanUp: async () => {
      if (!stopped) {
        if (external) await pool.query(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
        await pool.end().catch(() => undefined);
        await running?.stop().catch(() => undefined);
      } else if (external) {
        const again = new Pool({ connectionString: url, max: 1 });
        await again.query(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
        await again.end();
      }
      stopLeftoverPostmaster(join(dir, 'pg'));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A cold-start server killed hard leaves its PostgreSQL running: stop it (fast shutdown) before removing its data. */
function stopLeftoverPostmaster(dataDir: string): void {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // none left
  }
}

const TICKS = 100; // USER_HZ on Linux

/** The postmaster's own and its reaped children's CPU, plus its live children's (backends, walwriter...). */
function postgresCpuSeconds(dataDir: string): number | null {
  try {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const fields = (pid: number) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .map(Number);
    };
    // After the command name: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime.
    const own = fields(postmaster);
    let ticks = own[11] + own[12] + own[13] + own[14];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const f = fields(Number(entry));
        if (f[1] === postmaster) ticks += f[11] + f[12];
      } catch {
        // the process ended meanwhile
      }
    }
    return ticks / TICKS;
  } catch {
    return null;
  }
}
