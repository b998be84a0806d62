// Brings dist/ up to date before `npm start` and `npm run demo`, in plain JavaScript so it needs no build itself.
// Only sources changed since the last run are transpiled again, file by file (types are checked by `npm run
// typecheck`, as CI does); outputs of deleted sources go too. With nothing changed it loads no compiler at all:
// a full `tsc` took 20-30 s on every start.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist');
const MANIFEST = path.join(OUT, '.sources.json');
const SOURCES = ['src', 'migrations', 'scripts'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(file);
    return /\.ts$/.test(entry.name) && !/\.(spec|d)\.ts$/.test(entry.name) ? [path.relative(ROOT, file)] : [];
  });
}

const stamp = (file) => {
  const stat = fs.statSync(path.join(ROOT, file));
  return `${stat.mtimeMs}:${stat.size}`;
};
const outputOf = (source) => path.join(OUT, source.replace(/\.ts$/, '.js'));

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file); // a server or demo starting meanwhile never reads half a file
}

function readManifest(config) {
  try {
    const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
    if (manifest.config === config) return manifest;
  } catch {
    // none yet, or unreadable: build everything
  }
  return { config, sources: {} };
}

function main() {
  const config = CONFIGS.map(stamp).join(' ');
  const manifest = readManifest(config);
  const sources = SOURCES.flatMap((dir) => walk(path.join(ROOT, dir)));
  const changed = sources.filter((source) => manifest.sources[source] !== stamp(source) || !fs.existsSync(outputOf(source)));
  const gone = Object.keys(manifest.sources).filter((source) => !sources.includes(source));
  if (!changed.length && !gone.length) return;

  const started = Date.now();
  const ts = require('typescript');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.build.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
  let failed = false;
  for (const source of changed) {
    const version = stamp(source);
    const file = path.join(ROOT, source);
    const { outputText, sourceMapText, diagnostics } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: parsed.options,
      reportDiagnostics: true,
    });
    if (diagnostics && diagnostics.length) {
      process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
      failed = true;
      continue;
    }
    const output = outputOf(source);
    write(output, outputText);
    if (sourceMapText) {
      const map = JSON.parse(sourceMapText);
      map.sources = [path.relative(path.dirname(output), file)];
      write(`${output}.map`, JSON.stringify(map));
    }
    manifest.sources[source] = version;
  }
  for (const source of gone) {
    fs.rmSync(outputOf(source), { force: true });
    fs.rmSync(`${outputOf(source)}.map`, { force: true });
    delete manifest.sources[source];
  }
  write(MANIFEST, JSON.stringify(manifest));
  if (failed) process.exit(1);
  console.log(`Transpiled ${changed.length} changed file(s) into dist/ in ${Date.now() - started} ms${gone.length ? `, removed ${gone.length}` : ''}`);
}

main();
