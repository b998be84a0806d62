import { BenchDatabase } from './database';
import { Child, startChild } from './ipc';
import type { ClientSpec, SendPlan, SendResult } from './load-worker';
import { Member } from './seed';
import { Target, UsageMeter, UsageReport } from './servers';
import { summarize, Summary, waitUntil } from './stats';

export interface Group {
  id: number;
  members: Member[];
}

export interface StepResult {
  target: 'gwar' | 'relay';
  rate: number;
  seconds: number;
  due: number;
  ok: number;
  skipped: number;
  failed: Record<string, number>;
  /** From a send's due time to its acknowledgement. */
  answer: Summary;
  delivery: Summary;
  expected: number;
  received: number;
  /** Deliveries (one message reaching one socket) per second, and messages accepted per second. */
  deliveriesPerSec: number;
  messagesPerSec: number;
  server: UsageReport;
  /** CPU of the load-generator processes together, in % of one core. */
  loadCpuPct: number;
  /** Socket.IO packets the pages received (pushes and acknowledgements), per message accepted. */
  packetsPerMessage: number;
}

/** p99 within the bound and (nearly) every message accepted and delivered. */
export const sustained = (s: StepResult, p99Ms = 100) => s.delivery.p99 <= p99Ms && s.ok >= 0.99 * s.due;

/** Far behind: many messages refused or unanswered, or pushes missing; its backlog would spoil the next step. */
export const broken = (s: StepResult) => s.ok < 0.9 * s.due || s.received < 0.99 * s.expected;

let stepCounter = 0;

/** The load-generator processes: sockets spread over them, and each sending its share of the rate. */
export class Load {
  private constructor(readonly workers: Child[]) {}

  static async start(count: number): Promise<Load> {
    const workers = Array.from({ length: count }, (_, i) => startChild(`load-${i}`, 'bench/load-worker.ts', {}, ['--max-old-space-size=4096']));
    await Promise.all(workers.map((w) => w.call('sockets', undefined, 60_000)));
    return new Load(workers);
  }

  async connect(url: string, clients: ClientSpec[], concurrency = 50) {
    const shares = this.workers.map((_, w) => clients.filter((__, i) => i % this.workers.length === w));
    const started = performance.now();
    const results = await Promise.all(
      this.workers.map((w, i) =>
        w.call<{ connected: number; errors: Record<string, number>; joinFailures: number; connectMs: number[] }>(
          'connect',
          { url, clients: shares[i], concurrency },
          600_000,
        ),
      ),
    );
    const errors: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    return {
      connected: results.reduce((a, r) => a + r.connected, 0),
      joinFailures: results.reduce((a, r) => a + r.joinFailures, 0),
      errors,
      connect: summarize(results.flatMap((r) => r.connectMs)),
      wallMs: performance.now() - started,
    };
  }

  async joinAll(conversationId: number): Promise<number> {
    const counts = await Promise.all(this.workers.map((w) => w.call<number>('joinAll', conversationId, 300_000)));
    return counts.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call('close')));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop(5000)));
  }

  private async packets(): Promise<number> {
    return (await Promise.all(this.workers.map((w) => w.call<number>('packets')))).reduce((a, b) => a + b, 0);
  }

  private async cpuMs(): Promise<number> {
    const usages = await Promise.all(this.workers.map((w) => w.call<{ cpu: { user: number; system: number } }>('usage')));
    return usages.reduce((a, u) => a + (u.cpu.user + u.cpu.system) / 1000, 0);
  }

  /** Posts `rate` messages/s for `seconds` round-robin over the groups, then waits for the pushes. */
  async step(target: Target, db: BenchDatabase | undefined, groups: Group[], rate: number, seconds: number, drainSeconds: number): Promise<StepResult> {
    const step = ++stepCounter;
    const meter = new UsageMeter(target.child, target.kind === 'gwar' ? db : undefined);
    await meter.start();
    const loadBefore = await this.cpuMs();
    const wallStart = performance.now();
    const startAtNs = String(process.hrtime.bigint() + 300_000_000n);
    await this.packets();
    const plan: SendPlan = {
      url: target.url,
      step,
      rate,
      seconds,
      startAtNs,
      groups: groups.map((g) => ({ id: g.id, senders: g.members.map(({ cookie }) => ({ cookie })) })),
      maxInFlight: 512,
      answerWaitMs: (drainSeconds + 10) * 1000,
    };
    const sends = await Promise.all(this.workers.map((w) => w.call<SendResult>('send', plan, (seconds + 90) * 1000)));
    const ok = sends.reduce((a, s) => a + s.ok, 0);
    // Every member of a group (all groups have one size) has one socket in it, the author's own included:
    // it gets the author's copy of the message.
    const expected = ok * groups[0].members.length;
    const receivedNow = async () => (await Promise.all(this.workers.map((w) => w.call<number>('received', step)))).reduce((a, b) => a + b, 0);
    await waitUntil(async () => (await receivedNow()) >= expected, drainSeconds * 1000, 200);
    // The reads the last messages cause (a page reads 200 ms after a message came) and their pushes.
    await new Promise((r) => setTimeout(r, 600));
    const packets = await this.packets();
    const server = await meter.stop();
    const loadCpuPct = (100 * ((await this.cpuMs()) - loadBefore)) / (performance.now() - wallStart);
    const latencies = (await Promise.all(this.workers.map((w) => w.call<number[]>('collect', step)))).flat();
    const failed: Record<string, number> = {};
    for (const s of sends) for (const [k, v] of Object.entries(s.failed)) failed[k] = (failed[k] ?? 0) + v;
    return {
      target: target.kind,
      rate,
      seconds,
      due: sends.reduce((a, s) => a + s.due, 0),
      ok,
      skipped: sends.reduce((a, s) => a + s.skipped, 0),
      failed,
      answer: summarize(sends.flatMap((s) => s.answerMs)),
      // Messages whose answer never came may still have been stored and pushed: more arrivals than expected.
      delivery: summarize(latencies, Math.max(0, expected - latencies.length)),
      expected,
      received: latencies.length,
      deliveriesPerSec: latencies.length / seconds,
      messagesPerSec: ok / seconds,
      server,
      loadCpuPct,
      packetsPerMessage: ok ? packets / ok : NaN,
    };
  }
}
