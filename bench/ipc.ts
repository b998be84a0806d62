import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';

/**
 * The bench's children (the servers and the load workers) are separate Node processes, each on its own event
 * loop; the orchestrator talks to them with small request/response messages over the IPC channel.
 */
export const ROOT = join(__dirname, '..');
const REGISTER = join(ROOT, 'test/support/ts-register.js');

type Handler = (arg: any) => unknown;

interface Reply {
  id?: number;
  event?: string;
  data?: unknown;
  result?: unknown;
  error?: string;
}

export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private readonly waiters = new Map<string, (data: any) => void>();
  readonly output: string[] = [];
  private exitCode: number | null = null;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.stdout?.on('data', (d) => this.keep(String(d)));
    proc.stderr?.on('data', (d) => this.keep(String(d)));
    proc.on('message', (m: Reply) => {
      if (m.event) this.waiters.get(m.event)?.(m.data);
      else if (m.id && this.pending.has(m.id)) {
        const p = this.pending.get(m.id)!;
        this.pending.delete(m.id);
        if (m.error) p.reject(new Error(`${name}: ${m.error}`));
        else p.resolve(m.result);
      }
    });
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code) => {
        this.exitCode = code ?? -1;
        for (const p of this.pending.values()) p.reject(new Error(`${name} exited (${code}):\n${this.log()}`));
        this.pending.clear();
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.exitCode === null;
  }

  private keep(text: string): void {
    this.output.push(text);
    if (this.output.length > 200) this.output.shift();
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[${this.name}] ${text}`);
  }

  log(): string {
    return this.output.join('').slice(-4000);
  }

  /** Resolves with the data of the child's first event of this name. */
  event<T = any>(name: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no "${name}" within ${timeoutMs} ms:\n${this.log()}`)), timeoutMs);
      this.waiters.set(name, (data) => {
        clearTimeout(timer);
        resolve(data);
      });
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${this.exitCode}) before "${name}":\n${this.log()}`));
      });
    });
  }

  call<T = any>(cmd: string, arg?: unknown, timeoutMs = 120_000): Promise<T> {
    if (!this.alive) return Promise.reject(new Error(`${this.name} is not running:\n${this.log()}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: "${cmd}" took over ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.proc.send({ id, cmd, arg });
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Starts a TypeScript entry of the bench (or of src) as a child process with an IPC channel, through a shell
 * that first raises its open-files limit (10,000 sockets need more than the common default of 1,024).
 */
export function startChild(name: string, entry: string, env: Record<string, string | undefined> = {}, nodeFlags: string[] = []): Child {
  const args = [...nodeFlags, '-r', REGISTER, join(ROOT, entry)];
  const shell = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';
  const proc = spawn('/bin/sh', ['-c', shell, process.execPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new Child(name, proc);
}

/** In a child: answers the orchestrator's commands, with the ones every child has (usage, gc, profile). */
export function serve(handlers: Record<string, Handler>): void {
  let profiler: Session | undefined;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const common: Record<string, Handler> = {
    /** How late timers fired since the last call (ms): the event loop's own queueing delay. */
    loop: () => {
      const result = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
      loop.reset();
      return result;
    },
    usage: () => ({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, at: Date.now() }),
    gc: () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      return !!gc;
    },
    'profile-start': () =>
      new Promise<void>((resolve, reject) => {
        profiler = new Session();
        profiler.connect();
        profiler.post('Profiler.enable', () => profiler!.post('Profiler.start', (err) => (err ? reject(err) : resolve())));
      }),
    'profile-stop': (file: string) =>
      new Promise<void>((resolve, reject) => {
        if (!profiler) return resolve();
        profiler.post('Profiler.stop', (err, result) => {
          if (err) return reject(err);
          writeFileSync(file, JSON.stringify(result.profile));
          profiler!.disconnect();
          profiler = undefined;
          resolve();
        });
      }),
  };
  const all = { ...common, ...handlers };
  process.on('message', (m: { id: number; cmd: string; arg: unknown }) => {
    Promise.resolve()
      .then(() => {
        const handler = all[m.cmd];
        if (!handler) throw new Error(`unknown command ${m.cmd}`);
        return handler(m.arg);
      })
      .then(
        (result) => process.send?.({ id: m.id, result }),
        (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  // Never outlive the orchestrator.
  process.on('disconnect', () => process.exit(0));
}

export function announce(event: string, data?: unknown): void {
  process.send?.({ event, data });
}
