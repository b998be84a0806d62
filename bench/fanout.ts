import { join } from 'node:path';
import { BenchDatabase } from './database';
import { Group, Load, StepResult, sustained } from './load';
import { BenchOptions } from './options';
import { createCompany, createGroup, createUsers, markAllRead, Member, resetPresence, signIn } from './seed';
import { settle, Target } from './servers';
import { Summary } from './stats';

/**
 * Parts 1-3, run once against Gwar and once against the bare relay with the same clients and load:
 * fixed rates, the knee (rate stepped up until p99 passes 100 ms) and one big group.
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
    groups.push({ id: await createGroup(db.pool, companyId, `Team ${g + 1}`, members.map((m) => m.userId)), members });
  }
  const bigMembers = users.slice(0, options.bigGroup.members);
  const bigGroup = { id: await createGroup(db.pool, companyId, 'Everyone', bigMembers.map((m) => m.userId)), members: bigMembers };
  return { companyId, users, groups, bigGroup };
}

export async function runFanout(target: Target, load: Load, db: BenchDatabase, setup: FanoutSetup, options: BenchOptions, log: (s: string) => void, profileDir?: string): Promise<TargetRun> {
  const { fanout, knee, drainSeconds, bigGroup } = options;
  const profiles: string[] = [];
  const pause = () => settle(target.child, 15_000);
  const step = async (groups: Group[], rate: number, seconds: number) => {
    // Members who keep up with their chats: the unread counts Gwar computes per send start from zero.
    await markAllRead(db.pool, setup.companyId);
    await pause();
    const result = await load.step(target, db, groups, rate, seconds, drainSeconds);
    log(`  ${target.kind} ${rate} msg/s × ${groups[0].members.length}: p50 ${result.delivery.p50.toFixed(1)} p99 ${result.delivery.p99.toFixed(1)} ms, ${result.received}/${result.expected} delivered, server ${result.server.cpuPct.toFixed(0)}% CPU`);
    return result;
  };
  const profiled = async (name: string, groups: Group[], rate: number, seconds: number) => {
    if (!profileDir || target.kind !== 'gwar') return;
    const file = join(profileDir, `${name}.cpuprofile`);
    await target.child.call('profile-start');
    await step(groups, rate, seconds);
    await target.child.call('profile-stop', file);
    profiles.push(file);
  };

  // Connect every member's page, each showing its own group.
  await resetPresence(db.pool);
  const clients = setup.users.map((u, i) => ({ cookie: u.cookie, joins: [setup.groups[Math.floor(i / fanout.groupSize)].id] }));
  const connected = await load.connect(target.url, clients, 50);
  const settleStart = performance.now();
  await settle(target.child, 120_000);
  const connect = {
    sockets: clients.length,
    connected: connected.connected,
    joinFailures: connected.joinFailures,
    errors: connected.errors,
    perSecond: connected.connected / (connected.wallMs / 1000),
    connect: connected.connect,
    settleMs: performance.now() - settleStart,
  };
  log(`  ${target.kind}: ${connected.connected}/${clients.length} sockets in ${(connected.wallMs / 1000).toFixed(1)} s, settled in ${(connect.settleMs / 1000).toFixed(1)} s`);

  const fixed: StepResult[] = [];
  for (const rate of fanout.rates) fixed.push(await step(setup.groups, rate, fanout.stepSeconds));

  // The knee: multiply the rate until a step misses, then bisect between the last pass and the first miss.
  const steps: StepResult[] = [];
  let pass: number | null = null;
  let miss: number | null = null;
  let rate = target.kind === 'gwar' ? knee.gwarStart : knee.relayStart;
  for (let i = 0; i < knee.maxSteps && rate <= knee.maxRate; i++, rate = Math.round(rate * knee.factor)) {
    const result = await step(setup.groups, rate, knee.stepSeconds);
    steps.push(result);
    if (!sustained(result)) {
      miss = rate;
      break;
    }
    pass = rate;
  }
  for (let i = 0; i < knee.bisections && miss !== null; i++) {
    const mid = Math.round(((pass ?? 0) + miss) / 2);
    if (mid === pass || mid === miss) break;
    const result = await step(setup.groups, mid, knee.stepSeconds);
    steps.push(result);
    if (sustained(result)) pass = mid;
    else miss = mid;
  }
  if (miss !== null) await profiled('gwar-knee', setup.groups, miss, knee.stepSeconds);

  // One big group: every socket also shows it.
  await load.joinAll(setup.bigGroup.id);
  const big = await step([setup.bigGroup], bigGroup.rate, bigGroup.seconds);
  if (!sustained(big)) await profiled('gwar-big-group', [setup.bigGroup], bigGroup.rate, bigGroup.seconds);

  await load.close();
  return { connect, fixed, knee: { steps, sustainedRate: pass, firstMiss: miss }, bigGroup: big, profiles };
}
