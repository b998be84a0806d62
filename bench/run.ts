import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { runColdStart } from './cold-start';
import { runConnections, seedConnections } from './connections';
import { openDatabase } from './database';
import { runFanout, seedFanout } from './fanout';
import { runHistory, seedHistoryAndPanel } from './history';
import { runLivechat } from './livechat';
import { ROOT } from './ipc';
import { Load } from './load';
import { benchOptions } from './options';
import { measureInserts } from './pg-insert';
import { profileTables } from './profile';
import { Results, tables, targetChecks } from './report';
import { machineBusySeconds, startGwar, startRelay, Target } from './servers';
import { sleep } from './stats';
import { printTables } from './table';
import { runUploads } from './uploads';

/**
 * npm run bench [-- --quick] [-- --profile]: every measurement in one run on this machine, a table on stdout
 * and the figures in bench/results/latest.json. Uses DATABASE_URL when set, else an embedded PostgreSQL.
 */
const RESULTS_DIR = join(ROOT, 'bench/results');

async function main(): Promise<number> {
  const options = benchOptions(process.argv.slice(2));
  const started = performance.now();
  const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const results: Results = {
    mode: options.quick ? 'quick' : 'full',
    startedAt: new Date().toISOString(),
    seconds: 0,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '?',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded',
      loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
      busyAtStartPct: null,
    },
    options,
    targets: [],
    failures: [],
  };
  const profileDir = options.profile ? join(RESULTS_DIR, 'profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  /** A part that fails is reported and the run goes on with the next; the exit code says it failed. */
  const part = async (name: string, key: string, work: () => Promise<void>) => {
    if (options.only && !options.only.has(key)) return;
    log(name);
    try {
      await work();
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      results.failures.push(`${name}: ${message}`);
      log(`${name} FAILED: ${message}`);
    }
  };

  // The machine may be shared: note how busy it is before anything starts.
  const busyBefore = machineBusySeconds();
  await sleep(2000);
  const busyAfter = machineBusySeconds();
  results.machine.busyAtStartPct = busyBefore === null || busyAfter === null ? null : Math.round((100 * (busyAfter - busyBefore)) / 2);
  log(
    `${results.mode} run on ${results.machine.cpus} CPUs, ${results.machine.memoryGiB} GiB, node ${process.version}, load average ${results.machine.loadAverageAtStart.join(' ')}, other processes using ${results.machine.busyAtStartPct ?? '?'}% CPU`,
  );
  const db = await openDatabase();
  let gwar: Target | undefined;
  try {
    gwar = await startGwar(db); // applies the migrations
    log(`database ready (${results.machine.database}), Gwar started in ${(gwar.startMs / 1000).toFixed(1)} s; seeding`);
    await gwar.child.stop();
    const wanted = (key: string) => !options.only || options.only.has(key);
    const fanout = wanted('fanout') ? await seedFanout(db, options) : undefined;
    const idle = wanted('connections') ? await seedConnections(db, options) : undefined;
    const history = wanted('history') ? await seedHistoryAndPanel(db, options, log) : undefined;

    await part('1-3. fan-out, knee and big group: bare relay, then Gwar', 'fanout', async () => {
      const load = await Load.start(options.fanout.workers);
      try {
        results.relay = await runFanout(startRelay, load, db, fanout!, options, log);
        results.gwar = await runFanout(() => startGwar(db), load, db, fanout!, options, log, profileDir);
      } finally {
        await load.stop();
      }
    });
    await part('2. PostgreSQL single-row insert rate', 'fanout', async () => {
      results.pgInserts = await measureInserts(db, options.pgInsertSeconds);
    });

    await part('5. history and panel (server counting statements)', 'history', async () => {
      gwar = await startGwar(db, { countQueries: true });
      results.history = await runHistory(gwar, history!, options, profileDir);
      await gwar.child.stop();
    });
    await part(`4. ${options.connections.sockets} idle sockets on a fresh instance`, 'connections', async () => {
      gwar = await startGwar(db);
      results.connections = await runConnections(gwar, db, idle!, options, log);
      await gwar.child.stop();
    });
    await part('8. Livechat: a visitor’s first message to the consultant’s panel', 'livechat', async () => {
      // Limits off: every visitor comes from this one address, far beyond what one address may start in an hour.
      gwar = await startGwar(db, { env: { RATE_LIMITS: 'false' } });
      results.livechat = await runLivechat(gwar, db, options, log);
      await gwar.child.stop();
    });
    // Before the cold start, which stops the database: each burst on a fresh instance, files in the run's directory.
    await part(
      `7. image uploads: ${options.uploads.count} per burst, ${options.uploads.parallel} at once, each burst on a fresh instance`,
      'uploads',
      async () => {
        results.uploads = await runUploads(() => startGwar(db, { env: { FILES_DIR: join(db.dir, 'files') } }), db, options, log);
      },
    );
    await part('6. cold start', 'coldstart', async () => {
      results.coldStart = await runColdStart(db, options.coldStartRuns, log, options.quick);
    });
  } catch (err) {
    results.failures.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  } finally {
    await gwar?.child.stop();
    await db.cleanUp();
  }

  results.seconds = (performance.now() - started) / 1000;
  results.targets = targetChecks(results);
  printTables(tables(results));
  for (const file of [...(results.gwar?.profiles ?? []), ...(results.history?.profiles ?? [])]) printTables(profileTables(file, 15));
  console.log(
    `\n${results.mode} run: ${results.seconds.toFixed(0)} s on ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB, node ${process.version}, PostgreSQL ${results.machine.database}; other processes at start ${results.machine.busyAtStartPct ?? '?'}% CPU, load average at start ${results.machine.loadAverageAtStart.join(' ')}, at end ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    join(RESULTS_DIR, 'latest.json'),
    JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2),
  );
  console.log(`Figures written to bench/results/latest.json`);
  if (results.failures.length) console.log(`\n${results.failures.length} part(s) failed:\n${results.failures.join('\n')}`);
  return results.failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
