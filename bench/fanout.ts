import { join } from 'node:path';
import { BenchDatabase } from './database';
import { broken, Group, Load, StepResult, sustained } from './load';
import { BenchOptions } from './options';
import { createCompany, createGroup, createUsers, markAllRead, Member, resetPresence, signIn } from './seed';
import { settle, Target } from './servers';
import { Summary } from './stats';

/**
 * Parts 1-3, run once against Gwar and once against the bare relay with the same clients and load:
 * the knee (rate stepped up until p99 passes 100 ms), one big group, and fixed rates. A step that leaves the
 * server far behind is followed by a fresh server (and fresh sockets), so that its backlog does not spoil
 * the next step.
 */
export interface FanoutSetup {
  companyId: number;
  users: Member[];
  groups: Group[];
  bigGroup: Group;
}

export interface TargetRun {
  connect: { sockets: number; connected: number; joinFailures: number; errors: Record<string, number>; perSecond: number; connect: Summary; settleMs: number };
  fixed: StepResult[];
  knee: { steps: StepResult[]; sustainedRate: number | null; firstMiss: number | null };
  bigGroup: StepResult;
  restarts: number;
  profiles: string[];
}

export async function seedFanout(db: BenchDatabase, options: BenchOptions): Promise<FanoutSetup> {
  const { groups: count, groupSize } = options.fanout;
  const companyId = await createCompany(db.pool, 'Fan-out Ltd');
  const ids = await createUsers(db.pool, companyId, count * groupSize, 'Fan');
  const users = await signIn(db.pool, companyId, ids);
  const groups: Group[] = [];
  for (let g = 0; g < count; g++) {
    const members = users.slice(g * groupSize, (g + 1) * groupSize);
    groups.push({
      id: await createGroup(
        db.pool,
        companyId,
        `Team ${g + 1}`,
        members.map((m) => m.userId),
      ),
      members,
    });
  }
  const bigMembers = users.slice(0, options.bigGroup.members);
  const bigGroup = {
    id: await createGroup(
      db.pool,
      companyId,
      'Everyone',
      bigMembers.map((m) => m.userId),
    ),
    members: bigMembers,
  };
  return { companyId, users, groups, bigGroup };
}

export async function runFanout(
  start: () => Promise<Target>,
  load: Load,
  db: BenchDatabase,
  setup: FanoutSetup,
  options: BenchOptions,
  log: (s: string) => void,
  profileDir?: string,
): Promise<TargetRun> {
  const { fanout, knee, drainSeconds, bigGroup } = options;
  let target = await start();
  let bigJoined = false;
  let restarts = 0;
  let behind = false;
  const profiles: string[] = [];

  /** Every member's page, each showing its own group (and, from part 3 on, the big group too). */
  const connectAll = async () => {
    await resetPresence(db.pool);
    const clients = setup.users.map((u, i) => ({
      cookie: u.cookie,
      joins: [setup.groups[Math.floor(i / fanout.groupSize)].id, ...(bigJoined ? [setup.bigGroup.id] : [])],
    }));
    const connected = await load.connect(target.url, clients, 50);
    const settleStart = performance.now();
    await settle(target.child, 120_000);
    return {
      sockets: clients.length,
      connected: connected.connected,
      joinFailures: connected.joinFailures,
      errors: connected.errors,
      perSecond: connected.connected / (connected.wallMs / 1000),
      connect: connected.connect,
      settleMs: performance.now() - settleStart,
    };
  };
  const restart = async () => {
    log(`  ${target.kind} was far behind: a fresh server and fresh sockets for the next step`);
    restarts++;
    await load.close();
    await target.child.stop();
    target = await start();
    await connectAll();
  };
  const step = async (groups: Group[], rate: number, seconds: number, profile?: string) => {
    if (behind) await restart();
    // Members who keep up with their chats: the unread counts Gwar computes per send start from zero.
    await markAllRead(db.pool, setup.companyId);
    await settle(target.child, 30_000);
    if (profile) await target.child.call('profile-start');
    const result = await load.step(target, db, groups, rate, seconds, drainSeconds);
    if (profile) {
      const file = join(profileDir!, `${profile}.cpuprofile`);
      await target.child.call('profile-stop', file);
      profiles.push(file);
    }
    log(
      `  ${target.kind} ${rate} msg/s × ${groups[0].members.length}${profile ? ' (profiled)' : ''}: p50 ${result.delivery.p50.toFixed(1)} p99 ${result.delivery.p99.toFixed(1)} ms, ${result.received}/${result.expected} delivered, ${result.ok}/${result.due} accepted, server ${result.server.cpuPct.toFixed(0)}% CPU`,
    );
    behind = broken(result);
    return result;
  };

  const connect = await connectAll();
  log(
    `  ${target.kind}: ${connect.connected}/${connect.sockets} sockets at ${connect.perSecond.toFixed(0)}/s, idle again after ${(connect.settleMs / 1000).toFixed(1)} s`,
  );
  // Warm-up, not reported: the server's hot paths compiled and its connection pool filled before the first step.
  await load.step(target, db, setup.groups, knee.gwarStart * 2, Math.max(2, knee.stepSeconds / 2), drainSeconds);

  // The knee: multiply the rate until a step misses, then bisect between the last pass and the first miss.
  // A missed step is tried once more (a stall of another process on a shared machine should not decide it).
  const steps: StepResult[] = [];
  const holds = async (r: number) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await step(setup.groups, r, knee.stepSeconds);
      steps.push(result);
      if (sustained(result)) return true;
    }
    return false;
  };
  let pass: number | null = null;
  let miss: number | null = null;
  let rate = target.kind === 'gwar' ? knee.gwarStart : knee.relayStart;
  for (let i = 0; i < knee.maxSteps && rate <= knee.maxRate; i++, rate = Math.max(rate + 1, Math.round(rate * knee.factor))) {
    if (!(await holds(rate))) {
      miss = rate;
      break;
    }
    pass = rate;
  }
  for (let i = 0; i < knee.bisections && miss !== null; i++) {
    const mid = Math.round(((pass ?? 0) + miss) / 2);
    if (mid === pass || mid === miss || mid === 0) break;
    if (await holds(mid)) pass = mid;
    else miss = mid;
  }
  // Where the CPU goes per message, profiled at a rate that keeps the server busy without collapsing it.
  const profiling = profileDir && target.kind === 'gwar';
  if (profiling) await step(setup.groups, options.profileRates.groups, knee.stepSeconds, 'gwar-groups');

  // One big group: every socket also shows it.
  await load.joinAll(setup.bigGroup.id);
  bigJoined = true;
  const big = await step([setup.bigGroup], bigGroup.rate, bigGroup.seconds);
  if (profiling) await step([setup.bigGroup], options.profileRates.bigGroup, knee.stepSeconds, 'gwar-big-group');

  // Fixed rates last: the highest overload Gwar, and each is followed by a fresh server if it fell behind.
  const fixed: StepResult[] = [];
  for (const r of fanout.rates) fixed.push(await step(setup.groups, r, fanout.stepSeconds));

  await load.close();
  await target.child.stop();
  return { connect, fixed, knee: { steps, sustainedRate: pass, firstMiss: miss }, bigGroup: big, restarts, profiles };
}
