import { randomBytes, randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { BenchDatabase } from './database';
import { BenchOptions } from './options';
import { createCompany, createUsers, Member, signIn } from './seed';
import { Target } from './servers';
import { sleep, summarize, Summary, waitUntil } from './stats';

/**
 * Part 8: Livechat. Visitors (the widget's HTTP API and its socket namespace, as the iframe uses them) start chats
 * with consultants on duty (real Socket.IO pages of theirs): the time from the moment a visitor sends their first
 * message to its arrival in a consultant's panel (the pushed section that lists the chat with that message: routing
 * included), and for a later message to its arrival in the consultant's open chat. Each chat is then closed by its
 * consultant over HTTP, so the panel stays at a steady size.
 */
export interface LivechatResult {
  consultants: number;
  chats: number;
  lanes: number;
  first: Summary;
  later: Summary;
  missing: number;
}

const TIMEOUT_MS = 10_000;

interface Inbox {
  socket: Socket;
  member: Member;
  waiters: { test: (html: string) => boolean; resolve: (html: string) => void }[];
}

function connect(url: string, member: Member): Promise<Inbox> {
  const socket = io(url, { transports: ['websocket'], extraHeaders: { Cookie: member.cookie }, auth: { locale: 'en' }, reconnection: false, forceNew: true });
  const inbox: Inbox = { socket, member, waiters: [] };
  socket.on('html', (html: string) => {
    for (const w of [...inbox.waiters])
      if (w.test(html)) {
        inbox.waiters.splice(inbox.waiters.indexOf(w), 1);
        w.resolve(html);
      }
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(inbox));
    socket.once('connect_error', reject);
  });
}

/** Resolves with the arrival time (performance.now) of the first push to any consultant that passes the test. */
function arrival(inboxes: Inbox[], test: (html: string) => boolean): { at: Promise<{ ms: number; html: string; inbox: Inbox } | null>; cancel: () => void } {
  let done = false;
  let timer: NodeJS.Timeout;
  const waiters: Inbox['waiters'][number][] = [];
  const at = new Promise<{ ms: number; html: string; inbox: Inbox } | null>((resolve) => {
    timer = setTimeout(() => finish(null), TIMEOUT_MS);
    const finish = (value: { ms: number; html: string; inbox: Inbox } | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const inbox of inboxes) for (const w of waiters) if (inbox.waiters.includes(w)) inbox.waiters.splice(inbox.waiters.indexOf(w), 1);
      resolve(value);
    };
    for (const inbox of inboxes) {
      const w = { test, resolve: (html: string) => finish({ ms: performance.now(), html, inbox }) };
      waiters.push(w);
      inbox.waiters.push(w);
    }
  });
  return { at, cancel: () => clearTimeout(timer) };
}

async function call(url: string, path: string, init: { method?: string; token?: string; form?: Record<string, string>; member?: Member } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers['X-Livechat-Token'] = init.token;
  if (init.form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  if (init.member) Object.assign(headers, { Cookie: init.member.cookie, 'X-CSRF-Token': init.member.csrf });
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.form ? new URLSearchParams(init.form) : undefined,
    redirect: 'manual',
  });
  return { status: res.status, text: await res.text() };
}

export async function runLivechat(target: Target, db: BenchDatabase, options: BenchOptions, log: (s: string) => void): Promise<LivechatResult> {
  const { consultants: size, chats, lanes } = options.livechat;
  const companyId = await createCompany(db.pool, `Livechat ${randomBytes(3).toString('hex')}`);
  const ids = await createUsers(db.pool, companyId, size, 'Consultant');
  await db.pool.query(`update app_user set livechat_configured = true where id = any($1::int[])`, [ids]);
  await db.pool.query(
    `insert into presence (user_id, company_id, status) select u, $2, 'livechat' from unnest($1::int[]) u on conflict (user_id) do update set status = 'livechat'`,
    [ids, companyId],
  );
  const key = `bench${randomBytes(12).toString('hex')}`;
  await db.pool.query(`insert into livechat_settings (company_id, public_key, enabled, max_chats, title) values ($1, $2, true, 50, 'Bench')`, [companyId, key]);
  const members = await signIn(db.pool, companyId, ids);
  const inboxes = await Promise.all(members.map((m) => connect(target.url, m)));
  const onDuty = await waitUntil(async () => {
    const { rows } = await db.pool.query(`select count(*)::int as n from presence where company_id = $1 and status = 'livechat' and shown <> 'offline'`, [
      companyId,
    ]);
    return rows[0].n === size;
  }, 10_000);
  if (!onDuty) throw new Error('the consultants did not come on duty');

  const first: number[] = [];
  const later: number[] = [];
  let missing = 0;
  const api = `/livechat/${key}/api`;
  const one = async (n: number) => {
    const issued = await call(target.url, `${api}/visitor`, { method: 'POST' });
    const token = (JSON.parse(issued.text) as { token: string }).token;
    const visitor = io(`${target.url}/livechat`, { transports: ['websocket'], auth: { key, token, locale: 'en' }, reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      visitor.once('connect', () => resolve());
      visitor.once('connect_error', reject);
    });
    try {
      const text = `Question ${n} ${randomUUID()}`;
      const routed = arrival(inboxes, (html) => html.includes('id="livechat-section"') && html.includes(text));
      const sent = performance.now();
      const started = await call(target.url, `${api}/chats`, { method: 'POST', token, form: { clientId: randomUUID(), body: text, name: `Visitor ${n}` } });
      const publicId = /data-chat="([^"]+)"/.exec(started.text)?.[1];
      const got = await routed.at;
      if (!got || !publicId) return void missing++;
      first.push(got.ms - sent);
      const chatId = /data-livechat-chime="new:(\d+)"/.exec(got.html)?.[1] ?? /href="\/livechat\/chats\/(\d+)"[^<]*<\/a>[\s\S]*?/.exec(got.html)?.[1];
      const again = `Follow-up ${n} ${randomUUID()}`;
      const logged = arrival([got.inbox], (html) => html.includes('lc-log-') && html.includes(again));
      const sentAgain = performance.now();
      await call(target.url, `${api}/chats/${publicId}/messages`, { method: 'POST', token, form: { clientId: randomUUID(), body: again } });
      const gotAgain = await logged.at;
      if (gotAgain) later.push(gotAgain.ms - sentAgain);
      else missing++;
      if (chatId) await call(target.url, `/livechat/chats/${chatId}/close`, { method: 'POST', member: got.inbox.member });
    } finally {
      visitor.close();
    }
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < chats) {
        const n = next++;
        await one(n);
        await sleep(20);
      }
    }),
  );
  for (const inbox of inboxes) inbox.socket.close();
  log(`livechat: ${first.length} chats, ${missing} missing`);
  return { consultants: size, chats, lanes, first: summarize(first, chats - first.length), later: summarize(later, chats - later.length), missing };
}
