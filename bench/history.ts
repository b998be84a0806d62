import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { BenchDatabase } from './database';
import { BenchOptions } from './options';
import { createCompany, createGroup, createUsers, Member, signIn } from './seed';
import { Target } from './servers';
import { summarize, Summary } from './stats';

/**
 * Part 5: reading history (the first page of a conversation of a million messages, and a page 900,000 deep)
 * and the chat panel of a user in 200 groups among 1,000 users, each with the statements it ran.
 */
export interface Timed {
  name: string;
  ms: Summary;
  /** Statements per request (the request's own, by its X-Bench-Id): the most seen, and every count seen. */
  queries: number;
  queryCounts: number[];
  bytes: number;
}

export interface HistoryResult {
  messages: number;
  seedSeconds: number;
  pages: Timed[];
  panels: Timed[];
  profiles: string[];
}

interface HistorySetup {
  reader: Member;
  conversationId: number;
  newestId: number;
  deepBeforeId: number;
}

interface PanelSetup {
  many: Member;
  few: Member;
}

async function seedHistory(db: BenchDatabase, options: BenchOptions, log: (s: string) => void): Promise<HistorySetup> {
  const { messages, deep } = options.history;
  const companyId = await createCompany(db.pool, 'Archive Ltd');
  const [readerId, writerId] = await createUsers(db.pool, companyId, 2, 'Archivist');
  const [reader] = await signIn(db.pool, companyId, [readerId]);
  const conversationId = await createGroup(db.pool, companyId, 'A million messages', [readerId, writerId]);
  const chunk = 100_000;
  for (let from = 1; from <= messages; from += chunk) {
    await db.pool.query(
      `insert into message (company_id, conversation_id, author_id, client_id, body, created_at, seq)
       select $1, $2, case when i % 3 = 0 then $3::int else $4::int end, gen_random_uuid(),
              'History message ' || i || ': the quarterly numbers look fine, the notes from the call are in the CRM.',
              now() - make_interval(secs => ($5 - i) * 20), i
         from generate_series($6::int, $7::int) i`,
      [companyId, conversationId, readerId, writerId, messages, from, Math.min(messages, from + chunk - 1)],
    );
    if (messages > chunk) log(`  history: ${Math.min(messages, from + chunk - 1)} messages`);
  }
  const { rows } = await db.pool.query(`select max(id)::int as newest from message where conversation_id = $1`, [conversationId]);
  const newestId: number = rows[0].newest;
  const deepRow = await db.pool.query(`select id::int from message where conversation_id = $1 order by id desc offset $2 limit 1`, [conversationId, deep]);
  await db.pool.query(`update conversation set change_seq = $2, last_message_at = now() where id = $1`, [conversationId, messages]);
  await db.pool.query(`update conversation_member set last_read_message_id = $2 where conversation_id = $1`, [conversationId, newestId]);
  return { reader, conversationId, newestId, deepBeforeId: deepRow.rows[0].id };
}

async function seedPanel(db: BenchDatabase, options: BenchOptions): Promise<PanelSetup> {
  const { users: count, groups: groupCount } = options.panel;
  const companyId = await createCompany(db.pool, 'Panel Ltd');
  const ids = await createUsers(db.pool, companyId, count, 'Colleague');
  const [many, few] = await signIn(db.pool, companyId, ids.slice(0, 2));
  const others = ids.slice(2);
  const groupIds: number[] = [];
  for (let g = 0; g < groupCount; g++) {
    const members = [many.userId, ...(g < 20 ? [few.userId] : []), ...[0, 1, 2, 3].map((k) => others[(g * 4 + k) % others.length])];
    groupIds.push(await createGroup(db.pool, companyId, `Project ${String(g + 1).padStart(3, '0')}`, members));
  }
  // 100 one-to-one conversations of the panel user, then 10 messages by others in every conversation.
  const { rows: directs } = await db.pool.query(
    `insert into conversation (company_id, kind, direct_key, created_by_id)
     select $1, 'direct', least($2::int, u) || ':' || greatest($2::int, u), $2 from unnest($3::int[]) u returning id`,
    [companyId, many.userId, others.slice(0, 100)],
  );
  await db.pool.query(
    `insert into conversation_member (conversation_id, user_id, company_id)
     select c.id, u, $1 from conversation c, unnest(string_to_array(c.direct_key, ':')::int[]) u where c.id = any($2::int[])`,
    [companyId, directs.map((d) => d.id)],
  );
  const all = [...groupIds, ...directs.map((d) => d.id as number)];
  await db.pool.query(
    `insert into message (company_id, conversation_id, author_id, client_id, body, created_at, seq)
     select $1, c.id, (select user_id from conversation_member m where m.conversation_id = c.id and m.user_id <> $2 order by user_id desc limit 1),
            gen_random_uuid(), 'Panel message ' || i, now() - make_interval(mins => c.id % 500 + 10 * (10 - i)), i
       from unnest($3::int[]) c(id), generate_series(1, 10) i`,
    [companyId, many.userId, all],
  );
  await db.pool.query(
    `update conversation c set change_seq = 10, last_message_at = (select max(created_at) from message m where m.conversation_id = c.id) where company_id = $1`,
    [companyId],
  );
  // Everyone has read the first seven messages of each conversation: three unread each.
  await db.pool.query(
    `update conversation_member cm set last_read_message_id = (select id from message m where m.conversation_id = cm.conversation_id order by id offset 6 limit 1) where company_id = $1`,
    [companyId],
  );
  return { many, few };
}

function get(agent: Agent, url: string, path: string, member: Member, id: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ agent, host: hostname, port, path, headers: { Cookie: member.cookie, 'HX-Request': 'true', 'X-Bench-Id': id } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Times each request in turn (round-robin, after a warm-up round), counting its statements: `samples` rounds,
 * or fewer (at least three) when they take longer than the budget.
 */
async function timeAll(target: Target, requests: { name: string; path: string; member: Member }[], samples: number, budgetMs = 60_000): Promise<Timed[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ms = requests.map(() => [] as number[]);
  const queries = requests.map(() => [] as number[]);
  const bytes = requests.map(() => 0);
  const started = performance.now();
  for (let round = -1; round < samples && (round < 3 || performance.now() - started < budgetMs); round++) {
    for (const [i, r] of requests.entries()) {
      const id = `r${round}-${i}`;
      const started = performance.now();
      const res = await get(agent, target.url, r.path, r.member, id);
      const took = performance.now() - started;
      if (res.status !== 200) throw new Error(`GET ${r.path} gave ${res.status}`);
      const statements = await target.child.call<number>('statements', id);
      if (round < 0) continue;
      ms[i].push(took);
      queries[i].push(statements);
      bytes[i] = res.bytes;
    }
  }
  agent.destroy();
  return requests.map((r, i) => ({
    name: r.name,
    ms: summarize(ms[i]),
    queries: Math.max(...queries[i]),
    queryCounts: [...new Set(queries[i])].sort((a, b) => a - b),
    bytes: bytes[i],
  }));
}

export async function seedHistoryAndPanel(db: BenchDatabase, options: BenchOptions, log: (s: string) => void) {
  const started = performance.now();
  const history = await seedHistory(db, options, log);
  const panel = await seedPanel(db, options);
  await db.pool.query('vacuum analyze');
  return { history, panel, seedSeconds: (performance.now() - started) / 1000 };
}

export async function runHistory(
  target: Target,
  seeded: Awaited<ReturnType<typeof seedHistoryAndPanel>>,
  options: BenchOptions,
  profileDir?: string,
): Promise<HistoryResult> {
  const { history: h, panel: p } = seeded;
  const pageRequests = [
    { name: 'first page (GET /chat/conversations/:id)', path: `/chat/conversations/${h.conversationId}`, member: h.reader },
    {
      name: 'newest page via ?before (same endpoint as deep)',
      path: `/chat/conversations/${h.conversationId}/messages?before=${h.newestId + 1}`,
      member: h.reader,
    },
    {
      name: `page ${options.history.deep.toLocaleString('en')} deep (?before=)`,
      path: `/chat/conversations/${h.conversationId}/messages?before=${h.deepBeforeId}`,
      member: h.reader,
    },
  ];
  const panelRequests = [
    { name: `panel: ${options.panel.groups} groups + 100 directs, ${options.panel.users} users`, path: '/chat/panel', member: p.many },
    { name: `panel: 20 groups, ${options.panel.users} users`, path: '/chat/panel', member: p.few },
  ];
  const budget = options.history.budgetSeconds * 1000;
  const pages = await timeAll(target, pageRequests, options.history.samples, budget);
  const panels = await timeAll(target, panelRequests, options.panel.samples, budget);
  // Profiled again afterwards, so that the profiler's overhead stays out of the figures.
  const profiles: string[] = [];
  for (const [name, requests] of profileDir
    ? ([
        ['gwar-history', pageRequests],
        ['gwar-panel', panelRequests.slice(0, 1)],
      ] as const)
    : []) {
    const file = join(profileDir!, `${name}.cpuprofile`);
    await target.child.call('profile-start');
    await timeAll(target, [...requests], 10, 20_000);
    await target.child.call('profile-stop', file);
    profiles.push(file);
  }
  return { messages: options.history.messages, seedSeconds: seeded.seedSeconds, pages, panels, profiles };
}
