import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { printTables, Table } from './table';

/**
 * Where a CPU profile of the server spent its time: self time by function and by package or source file.
 * Also runnable on its own: node -r ./test/support/ts-register.js bench/profile.ts <file.cpuprofile>
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function place(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  if (url.startsWith('node:')) return url;
  return url ? basename(url) : '(native / idle / gc)';
}

export function profileTables(file: string, top = 20): Table[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const fn = `${functionName || '(anonymous)'} ${place(url)}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byPlace.set(place(url), (byPlace.get(place(url)) ?? 0) + us);
  }
  // Inclusive time of Gwar's own functions (src/): the share of samples with the function on the stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      if (!url.includes('/src/') || url.includes('node_modules')) continue;
      const fn = `${functionName || '(anonymous)'} ${place(url)}:${lineNumber + 1}`;
      if (!seen.has(fn)) inclusive.set(fn, (inclusive.get(fn) ?? 0) + us);
      seen.add(fn);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => [name, `${((100 * us) / totalUs).toFixed(1)}%`]);
  const idle = [...selfUs.entries()].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
  const title = `${basename(file)}: ${(totalUs / 1e6).toFixed(1)} s, idle ${((100 * idle) / totalUs).toFixed(0)}%`;
  return [
    { title: `${title} — self time by package / source file`, headers: ['where', 'self'], rows: rows(byPlace) },
    { title: `${title} — self time by function`, headers: ['function', 'self'], rows: rows(byFunction) },
    { title: `${title} — Gwar functions (src/) by inclusive time`, headers: ['function', 'total'], rows: rows(inclusive) },
  ];
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) printTables(profileTables(file));
}
