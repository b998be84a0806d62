import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { serve } from './ipc';

/**
 * A load-generator process: holds socket.io-client connections that behave as pages do. Each records when a
 * message reaches it, marks it read 200 ms later as a focused window does, and sends through its own socket
 * with an acknowledgement, as the composer does, at a fixed rate (open loop: a message is due at its time
 * whether or not earlier ones were answered, and its latency is counted from that time). Every packet a
 * page receives is counted.
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
  groups: { id: number; senders: { cookie: string }[] }[];
  maxInFlight: number;
  /** How long to wait for the answers still due after the last send; the rest count as 'no answer'. */
  answerWaitMs: number;
}

export interface SendResult {
  due: number;
  ok: number;
  skipped: number;
  failed: Record<string, number>;
  answerMs: number[];
}

/** A page reads what it was shown this long after it came (the browser's read timer). */
const READ_AFTER_MS = 200;

const sockets: Socket[] = [];
const bySender = new Map<string, Socket>();
let packets = 0;
const latencies = new Map<number, number[]>();
const MARK = /bench s(\d+) t(\d+) end/;

const MESSAGE_ID = /data-message-id="(\d+)"/;
const readTimers = new WeakMap<Socket, Map<number, { timer: NodeJS.Timeout; upTo: number }>>();

/** Up to the newest message shown, once the read timer fires; a read is sent only forward. */
function scheduleRead(socket: Socket, conversationId: number, html: string): void {
  const id = Number(MESSAGE_ID.exec(html)?.[1]);
  if (!id) return;
  let pending = readTimers.get(socket);
  if (!pending) readTimers.set(socket, (pending = new Map()));
  const current = pending.get(conversationId);
  if (current) {
    current.upTo = Math.max(current.upTo, id);
    return;
  }
  const entry = {
    upTo: id,
    timer: setTimeout(() => {
      pending!.delete(conversationId);
      // It shows everything up to the newest message, so it has cleared its own badge, as a focused window does.
      if (socket.connected) socket.emit('read', { conversationId, upTo: entry.upTo, cleared: true });
    }, READ_AFTER_MS),
  };
  pending.set(conversationId, entry);
}

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
    const shown = (conversationId: number, html: string) => {
      onHtml(html);
      scheduleRead(socket, conversationId, html);
    };
    socket.on('messages', (event: { conversationId: number; html: string }) => shown(event.conversationId, event.html));
    // A recipient's new message comes inside its notification, with the badge.
    socket.on('notify', (event: { conversationId: number; message?: string }) => {
      if (typeof event.message === 'string') shown(event.conversationId, event.message);
    });
    socket.onAny(() => packets++);
    sockets.push(socket);
    bySender.set(spec.cookie, socket);
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
  bySender.clear();
  latencies.clear();
  return true;
}

/** Each worker sends the messages whose sender's page it holds, over that page's socket. */
async function send(plan: SendPlan): Promise<SendResult> {
  const total = Math.floor(plan.rate * plan.seconds);
  const start = BigInt(plan.startAtNs);
  const interval = 1e9 / plan.rate;
  const result: SendResult = { due: 0, ok: 0, skipped: 0, failed: {}, answerMs: [] };
  const fail = (why: string) => (result.failed[why] = (result.failed[why] ?? 0) + 1);
  let inFlight = 0;
  let allSent!: () => void;
  const drained = new Promise<void>((resolve) => (allSent = resolve));
  let loopDone = false;
  const settle = () => {
    inFlight--;
    if (loopDone && inFlight === 0) allSent();
  };

  const fire = (socket: Socket, conversationId: number, due: bigint) => {
    inFlight++;
    const payload = { conversationId, clientId: randomUUID(), body: `bench s${plan.step} t${due} end` };
    socket.timeout(30_000).emit('message:send', payload, (err: Error | null, ack?: { ok: boolean; status?: number; html?: string }) => {
      packets++;
      if (err) fail('no answer in 30 s');
      else if (ack?.ok) {
        // The sending page's copy is the one in the answer.
        if (typeof ack.html === 'string') onHtml(ack.html);
        result.ok++;
        result.answerMs.push(Number(process.hrtime.bigint() - due) / 1e6);
      } else fail(`refused ${ack?.status ?? '?'}`);
      settle();
    });
  };

  let sinceYield = 0;
  for (let i = 0; i < total; i++) {
    const group = plan.groups[i % plan.groups.length];
    const sender = group.senders[Math.floor(i / plan.groups.length) % group.senders.length];
    const socket = bySender.get(sender.cookie);
    if (!socket) continue;
    const due = start + BigInt(Math.round(i * interval));
    const wait = Number(due - process.hrtime.bigint()) / 1e6;
    if (wait > 1 || sinceYield >= 50) {
      await new Promise((r) => setTimeout(r, Math.max(0, Math.floor(wait))));
      sinceYield = 0;
    }
    result.due++;
    sinceYield++;
    // Beyond the cap the server is far behind: drop the message rather than queue without bound.
    if (inFlight >= plan.maxInFlight || !socket.connected) result.skipped++;
    else fire(socket, group.id, due);
  }
  loopDone = true;
  if (inFlight > 0) await Promise.race([drained, new Promise((r) => setTimeout(r, plan.answerWaitMs))]);
  if (inFlight > 0) result.failed['no answer'] = inFlight;
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
  /** Packets the pages received since the last call (pushes and acknowledgements). */
  packets: () => {
    const n = packets;
    packets = 0;
    return n;
  },
});
