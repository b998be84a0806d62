import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { io, Socket } from 'socket.io-client';
import { serve } from './ipc';

/**
 * A load-generator process: holds socket.io-client connections that record when each message reaches them,
 * and posts messages through the HTTP send path at a fixed rate (open loop: a message is due at its time
 * whether or not earlier ones were answered, and its latency is counted from that time).
 *
 * The send time travels in the message body ("bench s<step> t<hrtime ns> end"); process.hrtime is the
 * machine's monotonic clock, the same in every process, so the receiver computes the latency itself.
 */
export interface ClientSpec {
  cookie: string;
  joins: number[];
}

export interface SendPlan {
  url: string;
  step: number;
  rate: number;
  seconds: number;
  /** process.hrtime.bigint() at which message 0 is due, as a string. */
  startAtNs: string;
  worker: number;
  workers: number;
  groups: { id: number; senders: { cookie: string; csrf: string }[] }[];
  maxInFlight: number;
  /** How long to wait for the answers still due after the last send; the rest count as 'no answer'. */
  answerWaitMs: number;
}

export interface SendResult {
  due: number;
  ok: number;
  skipped: number;
  failed: Record<string, number>;
  httpMs: number[];
}

const sockets: Socket[] = [];
const latencies = new Map<number, number[]>();
const MARK = /bench s(\d+) t(\d+) end/;

function onHtml(html: string): void {
  const at = html.indexOf('bench s');
  if (at < 0 || !html.includes('id="m-')) return;
  const match = MARK.exec(html.slice(at, at + 60));
  if (!match) return;
  const ms = Number(process.hrtime.bigint() - BigInt(match[2])) / 1e6;
  const step = Number(match[1]);
  let list = latencies.get(step);
  if (!list) latencies.set(step, (list = []));
  list.push(ms);
}

function joinOne(socket: Socket, conversationId: number): Promise<boolean> {
  return new Promise((resolve) => socket.timeout(20_000).emit('conversation:join', conversationId, (err: Error | null, ok: boolean) => resolve(!err && ok)));
}

async function connect(arg: { url: string; clients: ClientSpec[]; concurrency: number }) {
  const connectMs: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  let joinFailures = 0;
  const one = async (spec: ClientSpec) => {
    const started = performance.now();
    const socket = io(arg.url, {
      transports: ['websocket'],
      extraHeaders: { Cookie: spec.cookie },
      auth: { locale: 'en' },
      reconnection: false,
      forceNew: true,
      timeout: 30_000,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
    connectMs.push(performance.now() - started);
    // A message change arrives as its own event, with the same rendered HTML a page applies.
    socket.on('messages', (event: { html: string }) => onHtml(event.html));
    sockets.push(socket);
    for (const id of spec.joins) if (!(await joinOne(socket, id))) joinFailures++;
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(arg.concurrency, arg.clients.length) }, async () => {
      while (next < arg.clients.length) {
        const spec = arg.clients[next++];
        await one(spec).catch((err: Error) => void (errors[err.message] = (errors[err.message] ?? 0) + 1));
      }
    }),
  );
  return { connected: connectMs.length, errors, joinFailures, connectMs, wallMs: performance.now() - started };
}

async function joinAll(conversationId: number) {
  const results = await Promise.all(sockets.map((s) => joinOne(s, conversationId)));
  return results.filter(Boolean).length;
}

function closeAll() {
  for (const socket of sockets.splice(0)) socket.close();
  latencies.clear();
  return true;
}

async function send(plan: SendPlan): Promise<SendResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.maxInFlight });
  const { hostname, port } = new URL(plan.url);
  const total = Math.floor(plan.rate * plan.seconds);
  const start = BigInt(plan.startAtNs);
  const interval = 1e9 / plan.rate;
  const result: SendResult = { due: 0, ok: 0, skipped: 0, failed: {}, httpMs: [] };
  const fail = (why: string) => (result.failed[why] = (result.failed[why] ?? 0) + 1);
  let inFlight = 0;
  let allSent!: () => void;
  const drained = new Promise<void>((resolve) => (allSent = resolve));
  let loopDone = false;
  const settle = () => {
    inFlight--;
    if (loopDone && inFlight === 0) allSent();
  };

  const fire = (i: number, due: bigint) => {
    const group = plan.groups[i % plan.groups.length];
    const sender = group.senders[Math.floor(i / plan.groups.length) % group.senders.length];
    const body = `clientId=${randomUUID()}&body=${encodeURIComponent(`bench s${plan.step} t${due} end`)}`;
    inFlight++;
    const req = request(
      {
        agent,
        host: hostname,
        port,
        method: 'POST',
        path: `/chat/conversations/${group.id}/messages`,
        headers: {
          Cookie: sender.cookie,
          'X-CSRF-Token': sender.csrf,
          'HX-Request': 'true',
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 201) {
            result.ok++;
            result.httpMs.push(Number(process.hrtime.bigint() - due) / 1e6);
          } else fail(`HTTP ${res.statusCode}`);
          settle();
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      fail(err.message);
      settle();
    });
    req.end(body);
  };

  let sinceYield = 0;
  for (let i = plan.worker; i < total; i += plan.workers) {
    const due = start + BigInt(Math.round(i * interval));
    const wait = Number(due - process.hrtime.bigint()) / 1e6;
    if (wait > 1 || sinceYield >= 50) {
      await new Promise((r) => setTimeout(r, Math.max(0, Math.floor(wait))));
      sinceYield = 0;
    }
    result.due++;
    sinceYield++;
    // Beyond the cap the server is far behind: drop the message rather than queue without bound.
    if (inFlight >= plan.maxInFlight) result.skipped++;
    else fire(i, due);
  }
  loopDone = true;
  if (inFlight > 0) await Promise.race([drained, new Promise((r) => setTimeout(r, plan.answerWaitMs))]);
  if (inFlight > 0) result.failed['no answer'] = inFlight;
  agent.destroy();
  return { ...result, failed: { ...result.failed } };
}

serve({
  connect,
  joinAll,
  close: closeAll,
  send,
  received: (step: number) => latencies.get(step)?.length ?? 0,
  collect: (step: number) => {
    const list = latencies.get(step) ?? [];
    latencies.delete(step);
    return list;
  },
  sockets: () => sockets.filter((s) => s.connected).length,
});
