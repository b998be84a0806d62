import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { BenchDatabase } from './database';
import { ROOT } from './ipc';
import { APP_SECRET } from './seed';
import { median, sleep } from './stats';

/**
 * Part 6: the real start command (src/main.ts) spawned as a fresh node process, timed to its first /health
 * 200. On the embedded database the bench's own PostgreSQL is stopped first, so main.ts starts it on the data
 * the run left behind (a million messages and all). Timed twice: as built JavaScript (what `npm start` runs)
 * and through the TypeScript require hook (what a fresh clone can run without building).
 */
export interface ColdStart {
  variant: string;
  runs: number[];
  ms: number;
  /** Of that, until main.ts reported the embedded PostgreSQL serving (only without DATABASE_URL). */
  databaseMs: number | null;
  buildMs?: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const healthy = (url: string) =>
  new Promise<boolean>((resolve) => {
    const req = get(`${url}/health`, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.setTimeout(1000, () => req.destroy());
    req.on('error', () => resolve(false));
  });

/** Transpiles src and migrations the way tsc emits them, into dir, beside links to views, public and node_modules. */
function build(dir: string): number {
  const started = performance.now();
  const walk = (from: string): string[] =>
    readdirSync(from, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(join(from, e.name))
        : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts')
          ? [join(from, e.name)]
          : [],
    );
  for (const file of [...walk(join(ROOT, 'src')), ...walk(join(ROOT, 'migrations'))]) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        esModuleInterop: true,
      },
    });
    const out = join(dir, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  for (const name of ['views', 'public', 'node_modules']) symlinkSync(join(ROOT, name), join(dir, name));
  return performance.now() - started;
}

async function once(db: BenchDatabase, args: string[]): Promise<{ ms: number; databaseMs: number | null }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { DATABASE_URL: _none, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_SCHEMA: db.schema,
    APP_SECRET,
    LOG_REQUESTS: 'false',
    NODE_ENV: 'production',
  };
  if (db.embedded) env.DATA_DIR = db.dir;
  else env.DATABASE_URL = db.url;
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let databaseMs: number | null = null;
  let output = '';
  child.stdout.on('data', (d) => {
    output += String(d);
    if (databaseMs === null && output.includes('Embedded PostgreSQL serving')) databaseMs = performance.now() - started;
  });
  child.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = started + 60_000;
    while (!(await healthy(url))) {
      if (child.exitCode !== null || performance.now() > deadline)
        throw new Error(`cold start: no /health 200 (exit ${child.exitCode}):\n${output.slice(-3000)}`);
      await sleep(20);
    }
    return { ms: performance.now() - started, databaseMs };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

export async function runColdStart(db: BenchDatabase, runs: number, log: (s: string) => void, builtOnly = false): Promise<ColdStart[]> {
  await db.stopServer();
  const buildDir = join(db.dir, 'build');
  const buildMs = build(buildDir);
  const variants = [
    { variant: 'built JS (node build/src/main.js)', args: [join(buildDir, 'src/main.js')], buildMs },
    { variant: 'ts-register (node -r ts-register src/main.ts)', args: ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'src/main.ts')] },
  ];
  const results: ColdStart[] = [];
  for (const v of builtOnly ? variants.slice(0, 1) : variants) {
    const times: { ms: number; databaseMs: number | null }[] = [];
    for (let i = 0; i < runs; i++) times.push(await once(db, v.args));
    const result = {
      variant: v.variant,
      runs: times.map((t) => t.ms),
      ms: median(times.map((t) => t.ms)),
      databaseMs: db.embedded ? median(times.map((t) => t.databaseMs ?? NaN)) : null,
      buildMs: v.buildMs,
    };
    log(`  ${v.variant}: ${result.runs.map((r) => r.toFixed(0)).join(', ')} ms`);
    results.push(result);
  }
  return results;
}
