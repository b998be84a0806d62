import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../src/config/paths';
import { Client } from './support/http-client';

/**
 * The real start command's path, as a fresh machine runs it: no DATABASE_URL, so the server starts its own
 * embedded PostgreSQL under DATA_DIR, stops it on SIGTERM, and finds the same data on the next start.
 */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function run(script: string, env: Record<string, string>): ChildProcess {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, script)], {
    cwd: ROOT,
    env: { ...inherited, LOG_REQUESTS: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function healthy(url: string, child: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output.join('')}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no /health 200 within 60 s:\n${output.join('')}`);
}

describe('the server process on the embedded database', () => {
  let dataDir: string;
  let server: ChildProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gwar-server-'));
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await exited(server);
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts with nothing configured, seeds the demo beside it, stops cleanly and keeps its data', async () => {
    const port = String(await freePort());
    const url = `http://127.0.0.1:${port}`;
    const output: string[] = [];
    server = run('src/main.ts', { DATA_DIR: dataDir, PORT: port });
    server.stdout!.on('data', (d) => output.push(String(d)));
    server.stderr!.on('data', (d) => output.push(String(d)));
    await healthy(url, server, output);
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect((await new Client(url).load('/')).headers.location).toBe('/setup');

    // The demo command finds the running server's PostgreSQL and seeds through it.
    const demo = run('scripts/demo.ts', { DATA_DIR: dataDir, PORT: port });
    const demoOutput: string[] = [];
    demo.stdout!.on('data', (d) => demoOutput.push(String(d)));
    demo.stderr!.on('data', (d) => demoOutput.push(String(d)));
    expect({ code: await exited(demo), output: demoOutput.join('') }).toMatchObject({ code: 0 });
    expect(demoOutput.join('')).toContain('anna@demo.gwar.test');
    const anna = new Client(url);
    await anna.signIn('anna@demo.gwar.test', 'demo-password');
    expect((await anna.load('/admin/users')).text).toContain('Krzysztof Kozłowski');

    server.kill('SIGTERM');
    expect(await exited(server)).toBe(0);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const restartOutput: string[] = [];
    server = run('src/main.ts', { DATA_DIR: dataDir, PORT: port });
    server.stdout!.on('data', (d) => restartOutput.push(String(d)));
    server.stderr!.on('data', (d) => restartOutput.push(String(d)));
    await healthy(url, server, restartOutput);
    expect((await new Client(url).load('/')).headers.location).toBe('/login');
    await new Client(url).signIn('anna@demo.gwar.test', 'demo-password');
    server.kill('SIGINT');
    expect(await exited(server)).toBe(0);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 180_000);
});
