import { readFileSync } from 'node:fs';
import { BenchDatabase } from './database';
import { Child, startChild } from './ipc';
import { APP_SECRET } from './seed';

/** A server under load: Gwar (bench/gwar-server.ts) or the bare relay, each in a child process of its own. */
export interface Target {
  kind: 'gwar' | 'relay';
  child: Child;
  url: string;
  /** From spawn to listening, in ms. */
  startMs: number;
}

export async function startGwar(db: BenchDatabase, options: { countQueries?: boolean; env?: Record<string, string> } = {}): Promise<Target> {
  const started = performance.now();
  const child = startChild(
    'gwar',
    'bench/gwar-server.ts',
    {
      BENCH_DATABASE_URL: db.url,
      BENCH_COUNT_QUERIES: options.countQueries ? '1' : '0',
      DATABASE_URL: undefined,
      DATABASE_SCHEMA: db.schema,
      APP_SECRET,
      NODE_ENV: 'production',
      // As npm start runs it (see README, "Memory on Linux").
      MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072',
      ...options.env,
    },
    ['--expose-gc'],
  );
  const { port } = await child.event<{ port: number }>('ready', 120_000);
  return { kind: 'gwar', child, url: `http://127.0.0.1:${port}`, startMs: performance.now() - started };
}

export async function startRelay(): Promise<Target> {
  const started = performance.now();
  const child = startChild('relay', 'bench/relay-server.ts', {}, ['--expose-gc']);
  const { port } = await child.event<{ port: number }>('ready', 60_000);
  return { kind: 'relay', child, url: `http://127.0.0.1:${port}`, startMs: performance.now() - started };
}

interface Usage {
  cpu: { user: number; system: number };
  rss: number;
  heapUsed: number;
  at: number;
}

export interface UsageReport {
  /** Server CPU over the interval, in % of one core (200% = both cores of this machine). */
  cpuPct: number;
  /** PostgreSQL's CPU over the interval, same unit; null when it runs elsewhere. */
  pgCpuPct: number | null;
  /** The same as totals over the interval, in ms of CPU. */
  cpuMs: number;
  pgCpuMs: number | null;
  /** Every process of the machine together (from /proc/stat), same unit; null off Linux. */
  machineCpuPct: number | null;
  rssMaxMb: number;
  rssEndMb: number;
  /** The server's event-loop delay over the interval (ms). */
  loop: { p50: number; p99: number; max: number };
  /** Gwar only: its ORM pool (busy connections on average, most queries waiting for one) and PostgreSQL
   * backends waiting on a lock (average), sampled once a second. */
  pool: { usedAvg: number; max: number; waitingMax: number; lockWaitsAvg: number } | null;
}

/** Samples a server's CPU and RSS once a second while a step runs. */
export class UsageMeter {
  private first?: Usage;
  private last?: Usage;
  private pgFirst: number | null = null;
  private machineFirst: number | null = null;
  private rssMax = 0;
  private timer?: NodeJS.Timeout;
  private readonly pools: { used: number; max: number; waiting: number }[] = [];
  private readonly lockWaits: number[] = [];

  constructor(
    private readonly child: Child,
    private readonly db?: BenchDatabase,
  ) {}

  async start(): Promise<void> {
    await this.child.call('loop');
    this.first = await this.child.call<Usage>('usage');
    this.pgFirst = this.db?.cpuSeconds() ?? null;
    this.machineFirst = machineBusySeconds();
    this.rssMax = this.first.rss;
    this.timer = setInterval(() => {
      this.child.call<Usage>('usage', undefined, 5000).then(
        (u) => (this.rssMax = Math.max(this.rssMax, u.rss)),
        () => undefined,
      );
      if (!this.db) return;
      this.child.call('pool', undefined, 5000).then(
        (p) => this.pools.push(p),
        () => undefined,
      );
      this.db.pool.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid()`).then(
        (r) => this.lockWaits.push(r.rows[0].n),
        () => undefined,
      );
    }, 1000);
  }

  async stop(): Promise<UsageReport> {
    clearInterval(this.timer);
    this.last = await this.child.call<Usage>('usage');
    const loop = await this.child.call<UsageReport['loop']>('loop');
    const first = this.first!;
    const last = this.last;
    const wallMs = Math.max(1, last.at - first.at);
    const cpuMs = (last.cpu.user + last.cpu.system - first.cpu.user - first.cpu.system) / 1000;
    const pgNow = this.db?.cpuSeconds() ?? null;
    const machineNow = machineBusySeconds();
    return {
      cpuPct: (100 * cpuMs) / wallMs,
      pgCpuPct: pgNow !== null && this.pgFirst !== null ? (100 * (pgNow - this.pgFirst) * 1000) / wallMs : null,
      cpuMs,
      pgCpuMs: pgNow !== null && this.pgFirst !== null ? (pgNow - this.pgFirst) * 1000 : null,
      machineCpuPct: machineNow !== null && this.machineFirst !== null ? (100 * (machineNow - this.machineFirst) * 1000) / wallMs : null,
      rssMaxMb: Math.max(this.rssMax, last.rss) / 2 ** 20,
      rssEndMb: last.rss / 2 ** 20,
      loop,
      pool: this.pools.length
        ? {
            usedAvg: this.pools.reduce((a, p) => a + p.used, 0) / this.pools.length,
            max: this.pools[0].max,
            waitingMax: Math.max(...this.pools.map((p) => p.waiting)),
            lockWaitsAvg: this.lockWaits.reduce((a, b) => a + b, 0) / Math.max(1, this.lockWaits.length),
          }
        : null,
    };
  }
}

/** CPU seconds all processes have used since boot (user, nice, system, irq, softirq, steal), or null off Linux. */
export function machineBusySeconds(): number | null {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return null;
  }
}

/** Waits (bounded) until the server is nearly idle: after a connect storm, before the next step. */
export async function settle(child: Child, maxMs: number, idlePct = 5): Promise<void> {
  const deadline = Date.now() + maxMs;
  let before = await child.call<Usage>('usage');
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await child.call<Usage>('usage');
    const pct = (100 * (now.cpu.user + now.cpu.system - before.cpu.user - before.cpu.system)) / 1000 / Math.max(1, now.at - before.at);
    if (pct < idlePct) return;
    before = now;
  }
}
