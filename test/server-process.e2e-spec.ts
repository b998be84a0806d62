import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { ROOT } from '../src/config/paths';
import { startEmbeddedDatabase } from '../src/database/embedded-database';
import { processInfo, readLockFile, running, stopPostmaster } from '../src/database/postgres-process';
import { directConversation } from './support/chat';
import { Client } from './support/http-client';

/**
 * The real start command's path, as a fresh machine runs it: `npm start` brings dist/ up to date and runs it with
 * no DATABASE_URL, so the server starts its own embedded PostgreSQL under DATA_DIR, stops it on SIGTERM, and
 * finds the same data on the next start. Started from dist/, a restart is as quick as the real one: that is what
 * meets a killed PostgreSQL's pid before anyone has reaped it.
 */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  output: string[];
}

/** `ownGroup`: a process group of its own, as a terminal gives a command, so that "Ctrl+C" can reach all of it. */
function run(script: 'src/main' | 'scripts/demo', env: Record<string, string>, ownGroup = false): Running {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(ROOT, 'dist', `${script}.js`)], {
    cwd: ROOT,
    detached: ownGroup,
    env: { ...inherited, LOG_REQUESTS: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  return { child, output };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The exit code, or 'still running' (and then a SIGKILL) when it does not exit within the time given. */
async function exitedWithin(child: ChildProcess, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  const result = await Promise.race([exited(child), late]);
  clearTimeout(timer);
  if (result === 'still running') {
    child.kill('SIGKILL');
    await exited(child);
  }
  return result;
}

async function healthy(url: string, { child, output }: Running): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output.join('')}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no /health 200 within 90 s:\n${output.join('')}`);
}

const errorLines = (output: string[]) =>
  output
    .join('')
    .split('\n')
    .filter((line) => /\bERROR\b/.test(line));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PostgreSQL processes started on a data directory (a zombie has no command line left, and counts as gone). */
function postmastersOf(dir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.some((arg, i) => arg === '-D' && args[i + 1] === dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A pid that stays a zombie while `parent` lives: its parent never waits for it, like a pid 1 that does not reap. */
async function unreapedZombie(): Promise<{ pid: number; parent: ChildProcess }> {
  const parent = spawn('sh', ['-c', 'sleep 0.5 & echo $!; exec sleep 600'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
  for (const until = Date.now() + 10_000; !processInfo(pid)?.zombie; await sleep(20)) {
    if (Date.now() > until) throw new Error(`pid ${pid} did not become a zombie`);
  }
  return { pid, parent };
}

describe('the server process on the embedded database', () => {
  let dataDir: string;
  let port: string;
  let pgPort: string;
  let url: string;
  let server: Running | undefined;
  const serve = async (ownGroup = false): Promise<Running> => {
    server = run('src/main', { DATA_DIR: dataDir, PORT: port, EMBEDDED_PG_PORT: pgPort }, ownGroup);
    await healthy(url, server);
    return server;
  };
  const postmaster = () => readLockFile(join(dataDir, 'pg'))!.pid;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-changed.js')], { stdio: 'inherit' });
    dataDir = await mkdtemp(join(tmpdir(), 'gwar-server-'));
    await chmod(dataDir, 0o755);
    port = String(await freePort());
    // A port of its own: a killed PostgreSQL's port must not be served by another one meanwhile (54329 often is).
    pgPort = String(await freePort());
    url = `http://127.0.0.1:${port}`;
  }, 180_000);
  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGTERM');
      await exitedWithin(server.child, 15_000);
    }
    // A test that failed half-way may leave a killed server's PostgreSQL behind.
    const lock = readLockFile(join(dataDir, 'pg'));
    if (lock && running(lock.pid)) await stopPostmaster(lock.pid);
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts with nothing configured, seeds the demo beside it, stops cleanly and keeps its data', async () => {
    const { child } = await serve();
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect((await new Client(url).load('/')).headers.location).toBe('/setup');

    // The demo command finds the running server's PostgreSQL and seeds through it.
    const demo = run('scripts/demo', { DATA_DIR: dataDir, PORT: port, EMBEDDED_PG_PORT: pgPort });
    expect({ code: await exited(demo.child), output: demo.output.join('') }).toMatchObject({ code: 0 });
    expect(demo.output.join('')).toContain('anna@demo.gwar.test');
    const anna = new Client(url);
    await anna.signIn('anna@demo.gwar.test', 'demo-password');
    expect((await anna.load('/admin/users')).text).toContain('Krzysztof Kozłowski');

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const restarted = await serve(true);
    expect((await new Client(url).load('/')).headers.location).toBe('/login');
    await new Client(url).signIn('anna@demo.gwar.test', 'demo-password');
    // Ctrl+C signals the terminal's whole process group: PostgreSQL must not get it before the app has cleaned up.
    process.kill(-restarted.child.pid!, 'SIGINT');
    expect(await exited(restarted.child)).toBe(0);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(errorLines(restarted.output)).toEqual([]);
  }, 300_000);

  it('restarts at once after the server and its PostgreSQL were killed, five times over', async () => {
    await serve();
    for (let round = 1; round <= 5; round++) {
      const killed = server!;
      // Nobody reaps a postmaster whose parent died: its pid lingers as a zombie that kill(pid, 0) still finds.
      const pid = postmaster();
      killed.child.kill('SIGKILL');
      process.kill(pid, 'SIGKILL');
      await exited(killed.child);
      await serve().catch((err: Error) => {
        throw new Error(`restart ${round} after kill -9: ${err.message}`);
      });
    }
    server!.child.kill('SIGTERM');
    expect(await exited(server!.child)).toBe(0);
  }, 600_000);

  it('starts over a killed PostgreSQL whose pid lives on as a zombie nobody reaps', async () => {
    const killed = await serve();
    const lockFile = join(dataDir, 'pg', 'postmaster.pid');
    process.kill(postmaster(), 'SIGKILL');
    killed.child.kill('SIGKILL');
    await exited(killed.child);
    // Whether init has reaped the killed postmaster by now is up to init: make sure, with a zombie's pid in its place.
    const zombie = await unreapedZombie();
    try {
      writeFileSync(lockFile, readFileSync(lockFile, 'utf8').replace(/^\d+/, String(zombie.pid)));
      await serve();
    } finally {
      zombie.parent.kill('SIGKILL');
    }
    server!.child.kill('SIGTERM');
    expect(await exited(server!.child)).toBe(0);
  }, 300_000);

  it('adopts the PostgreSQL a killed server left running, and stops it at Ctrl+C', async () => {
    const first = await serve();
    const orphan = postmaster();
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(running(orphan)).toBe(true);

    const second = await serve();
    expect(postmaster()).toBe(orphan);
    expect(second.output.join('')).toContain('adopted');
    second.child.kill('SIGINT');
    expect(await exited(second.child)).toBe(0);
    expect(running(orphan)).toBe(false);
    expect(postmastersOf(join(dataDir, 'pg'))).toEqual([]);
  }, 300_000);

  it('stops within 10 s of SIGTERM under keep-alive load, having stored every message it answered, with no ERROR logged', async () => {
    const { child, output } = await serve();
    const anna = await new Client(url).signIn('anna@demo.gwar.test', 'demo-password').catch(async () => {
      await exited(run('scripts/demo', { DATA_DIR: dataDir, PORT: port, EMBEDDED_PG_PORT: pgPort }).child);
      return new Client(url).signIn('anna@demo.gwar.test', 'demo-password');
    });
    const colleague = Number(/href="\/chat\/users\/(\d+)"/.exec((await anna.load('/')).text)![1]);
    const conversation = await directConversation(anna, colleague);

    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const send = (clientId: string) =>
      new Promise<number>((resolve) => {
        const body = new URLSearchParams({ _csrf: anna.csrf, clientId, body: `under load ${clientId}` }).toString();
        const req = request(
          `${url}/chat/conversations/${conversation}/messages`,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(body),
              cookie: anna.sessionCookie(),
              'hx-request': 'true',
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', () => resolve(0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(body);
      });
    const answered: string[] = [];
    let sending = true;
    const sender = async () => {
      while (sending) {
        const clientId = randomUUID();
        const status = await send(clientId);
        if (status >= 200 && status < 300) answered.push(clientId);
        else if (status === 0) await sleep(10); // refused or reset: the server is going away
      }
    };
    const senders = Array.from({ length: 8 }, sender);
    for (const until = Date.now() + 60_000; answered.length < 50 && Date.now() < until;) await sleep(50);
    expect(answered.length).toBeGreaterThanOrEqual(50);

    const beforeSignal = answered.length;
    const signalled = Date.now();
    child.kill('SIGTERM');
    const code = await exitedWithin(child, 20_000);
    const stoppedMs = Date.now() - signalled;
    sending = false;
    await Promise.all(senders);
    agent.destroy();
    console.log(
      `SIGTERM under keep-alive load: exited with ${code} after ${stoppedMs} ms; ${answered.length} sends answered, ${answered.length - beforeSignal} of them after the signal`,
    );
    expect({ code, log: output.join('') }).toMatchObject({ code: 0 });
    expect(stoppedMs).toBeLessThan(10_000);
    expect(errorLines(output)).toEqual([]);

    const database = await startEmbeddedDatabase(dataDir, { detached: false });
    const pg = new PgClient({ connectionString: database.url });
    try {
      await pg.connect();
      const { rows } = await pg.query<{ client_id: string }>('select client_id::text from message where client_id = any($1::uuid[])', [answered]);
      const stored = new Set(rows.map((row) => row.client_id));
      expect(answered.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await pg.end();
      await database.stop();
    }
  }, 300_000);
});
