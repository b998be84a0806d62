import { BenchDatabase } from './database';
import { Load } from './load';
import { BenchOptions } from './options';
import { createCompany, createUsers, Member, resetPresence, signIn } from './seed';
import { settle, Target } from './servers';
import { sleep, Summary } from './stats';

/**
 * Part 4: many idle authenticated sockets on one instance (one per user, in companies of `companySize`):
 * how fast they connect and how much resident memory each costs the server.
 */
export interface ConnectionsResult {
  sockets: number;
  connected: number;
  errors: Record<string, number>;
  perSecond: number;
  connect: Summary;
  settleMs: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  rssPerSocketKb: number;
  heapPerSocketKb: number;
  stillOpen: number;
}

export async function seedConnections(db: BenchDatabase, options: BenchOptions): Promise<Member[]> {
  const { sockets, companySize } = options.connections;
  const members: Member[] = [];
  for (let c = 0; members.length < sockets; c++) {
    const companyId = await createCompany(db.pool, `Idle ${c + 1}`);
    const ids = await createUsers(db.pool, companyId, Math.min(companySize, sockets - members.length), `Idle${c + 1}`);
    members.push(...(await signIn(db.pool, companyId, ids)));
  }
  return members;
}

type Usage = { rss: number; heapUsed: number };

async function measured(target: Target): Promise<Usage> {
  await target.child.call('gc');
  await sleep(500);
  return target.child.call<Usage>('usage');
}

export async function runConnections(
  target: Target,
  db: BenchDatabase,
  members: Member[],
  options: BenchOptions,
  log: (s: string) => void,
): Promise<ConnectionsResult> {
  await resetPresence(db.pool);
  const load = await Load.start(options.connections.workers);
  try {
    await settle(target.child, 10_000);
    const before = await measured(target);
    const result = await load.connect(
      target.url,
      members.map((m) => ({ cookie: m.cookie, joins: [] })),
      100,
    );
    log(`  ${result.connected}/${members.length} sockets in ${(result.wallMs / 1000).toFixed(1)} s`);
    const settleStart = performance.now();
    await settle(target.child, 180_000);
    const settleMs = performance.now() - settleStart;
    const after = await measured(target);
    const stillOpen = (await Promise.all(load.workers.map((w) => w.call<number>('sockets')))).reduce((a, b) => a + b, 0);
    await load.close();
    const n = Math.max(1, result.connected);
    return {
      sockets: members.length,
      connected: result.connected,
      errors: result.errors,
      perSecond: result.connected / (result.wallMs / 1000),
      connect: result.connect,
      settleMs,
      rssBeforeMb: before.rss / 2 ** 20,
      rssAfterMb: after.rss / 2 ** 20,
      rssPerSocketKb: (after.rss - before.rss) / n / 1024,
      heapPerSocketKb: (after.heapUsed - before.heapUsed) / n / 1024,
      stillOpen,
    };
  } finally {
    await load.stop();
  }
}
