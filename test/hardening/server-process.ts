import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from '../../src/config/paths';
import { TestApp, underSchemaLock } from '../support/test-app';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The real start command (src/main.ts) as a process of its own, on a test app's schema and so on its data and
 * sessions. Unlike the app inside Jest, it dies of an uncaught exception or an unhandled rejection the way
 * production does, which is what a test of "a packet cannot stop the server" must see.
 */
export class ServerProcess {
  private child!: ChildProcess;
  private output: string[] = [];
  /** Where in the output the start ended: what comes after is what the fuzz caused. */
  private startedAt = 0;
  private exit?: Promise<number | null>;
  url = '';

  private constructor(
    private readonly t: TestApp,
    private readonly env: Record<string, string>,
  ) {}

  static async start(t: TestApp, env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = new ServerProcess(t, env);
    await server.spawn();
    return server;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when the process has exited, with how. */
  exited(): Promise<string> {
    return this.exit!.then(() => `exit code ${this.child.exitCode ?? this.child.signalCode}`);
  }

  /** The end of what the process printed since it started: its crash, when it crashed. */
  tail(lines = 25): string {
    return this.since().split('\n').slice(-lines).join('\n').trim();
  }

  /** Lines the server logged as errors since it started (Nest's logger marks them ERROR), and what Node printed on a crash. */
  loggedErrors(): string[] {
    return this.since()
      .split('\n')
      .filter((line) => /\bERROR\b|Error:/.test(line));
  }

  private since(): string {
    return this.output.join('').slice(this.startedAt);
  }

  /** Whether it answers /health; a process that is going down does not, and has exited by the time this returns false. */
  async healthy(): Promise<boolean> {
    const ok = await fetch(`${this.url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (!ok) await Promise.race([this.exit, new Promise((r) => setTimeout(r, 2000))]);
    return ok;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.spawn();
  }

  /** kill -9: no shutdown hooks, connections and leases left as they were. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exit;
  }

  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    await this.exit;
  }

  private async spawn(): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.output = [];
    const { DATABASE_URL: databaseUrl } = process.env;
    // The migrator of a starting app lists every schema's tables: it must not meet another test file's schema being dropped.
    await underSchemaLock(databaseUrl!, 'shared', async () => {
      this.child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'src/main.ts')], {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'test',
          DATABASE_URL: databaseUrl,
          DATABASE_SCHEMA: this.t.config.databaseSchema,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_REQUESTS: 'false',
          NO_COLOR: '1',
          ...this.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.exit = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
      this.child.stdout!.on('data', (d) => this.output.push(String(d)));
      this.child.stderr!.on('data', (d) => this.output.push(String(d)));
      await this.started();
    });
  }

  private async started(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the server process exited while starting:\n${this.tail()}`);
      const ok = await fetch(`${this.url}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return void (this.startedAt = this.output.join('').length);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no /health 200 from the server process within 60 s:\n${this.tail()}`);
  }
}
