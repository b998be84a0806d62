import { randomUUID } from 'node:crypto';
import type { Company } from '../../src/accounts/company.entity';
import { createCompany, createUser } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { Consultant, LivechatCast, livechatCompany, Visitor } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';

/** "Livechat conversations": the filtered list, who sees which chats, transcripts and the CSV export. */
describe('Livechat conversations', () => {
  let t: TestApp;
  const cast = new LivechatCast(() => t);
  const { visitor, chatId } = cast;
  const on = cast.consultant;
  let company: Company;
  let anna: Consultant;
  let bob: Consultant;
  let director: Client;
  let admin: Client;
  let plain: Client;
  let outsider: Client;
  const ids: Record<string, number> = {};

  const db = () => t.em().getConnection();
  const listed = (html: string) => [...html.matchAll(/<tr data-chat="(\d+)">/g)].map((m) => Number(m[1]));
  const named = (...names: string[]) => names.map((n) => ids[n]).sort((a, b) => b - a);

  async function answer(c: Consultant, id: number, body: string) {
    await c.client.load(`/livechat/chats/${id}`);
    const res = await c.client.post(`/livechat/chats/${id}/messages`, { clientId: randomUUID(), body }, { htmx: true });
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    // No background sweep: the chats stay where the test puts them.
    t = await startTestApp({ LIVECHAT_SWEEP_MS: '600000' });
    await createCompany(t.em(), { operator: true });
    const made = await livechatCompany(t, { maxChats: 5 });
    company = made.company;
    anna = await on(company, 'livechat', 'Anna List');
    const start = async (name: string, text: string, who: Consultant) => {
      const v: Visitor = await visitor(made.key);
      await v.start(text, { name });
      ids[name] = await chatId(v.chat);
      if ((await db().execute(`select consultant_id from livechat_chat where id = ?`, [ids[name]]))[0].consultant_id !== who.user.id)
        await db().execute(`update livechat_chat set consultant_id = ? where id = ?`, [who.user.id, ids[name]]);
      return v;
    };
    // Anna answers and closes one, rated 5; answers another, which Bob then gets... the other way round: Bob hands it to her.
    const rated = await start('=2+5', 'first question', anna);
    await answer(anna, ids['=2+5'], 'first answer');
    await anna.client.post(`/livechat/chats/${ids['=2+5']}/close`);
    await rated.post(`chats/${rated.chat}/rating`, { rating: '5', comment: '+cmd|calc' });
    bob = await on(company, 'livechat', 'Bob List');
    await start('Otto Open', 'still open', bob);
    await answer(bob, ids['Otto Open'], 'on it');
    expect(
      (await bob.client.post(`/livechat/chats/${ids['Otto Open']}/transfer`, { to: String(anna.user.id), note: 'VIP, be quick' }, { htmx: true })).status,
    ).toBe(200);
    const low = await start('Carl Closed', 'complaint', bob);
    await answer(bob, ids['Carl Closed'], 'sorry');
    await bob.client.post(`/livechat/chats/${ids['Carl Closed']}/close`);
    await low.post(`chats/${low.chat}/rating`, { rating: '2', comment: '@SUM(A1) "slow"' });
    await start('Mia Missed', 'hello?', bob);
    await bob.client.load(`/livechat/chats/${ids['Mia Missed']}`);
    await bob.client.post(`/livechat/chats/${ids['Mia Missed']}/close`);
    await start('Wanda Waiting', 'queue', anna);
    await db().execute(`update livechat_chat set status = 'waiting', consultant_id = null where id = ?`, [ids['Wanda Waiting']]);
    await db().execute(`update livechat_chat set created_at = '2026-01-10 12:00' where id = ?`, [ids['=2+5']]);

    director = await signedIn(t.url, (await createUser(t.em(), company, { role: 'director' })).email);
    admin = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    plain = await signedIn(t.url, (await createUser(t.em(), company)).email);
    const elsewhere = await livechatCompany(t);
    outsider = await signedIn(t.url, (await createUser(t.em(), elsewhere.company, { role: 'admin' })).email);
  });
  afterAll(async () => {
    cast.close();
    await t.close();
  });

  it('shows directors and admins every chat, filtered by state, consultant, dates and rating', async () => {
    for (const who of [director, admin]) {
      const all = await who.load('/livechat/conversations');
      expect(all.status).toBe(200);
      expect(listed(all.text)).toEqual(named('=2+5', 'Otto Open', 'Carl Closed', 'Mia Missed', 'Wanda Waiting'));
    }
    const q = async (query: string) => listed((await director.load(`/livechat/conversations?${query}`)).text);
    expect(await q('state=open')).toEqual(named('Otto Open'));
    expect(await q('state=waiting')).toEqual(named('Wanda Waiting'));
    expect(await q('state=missed')).toEqual(named('Mia Missed'));
    expect(await q('state=closed')).toEqual(named('=2+5', 'Carl Closed'));
    expect(await q(`consultant=${anna.user.id}`)).toEqual(named('=2+5', 'Otto Open'));
    expect(await q(`consultant=${bob.user.id}`)).toEqual(named('Otto Open', 'Carl Closed', 'Mia Missed'));
    expect(await q('rating=5')).toEqual(named('=2+5'));
    expect(await q('rating=2&state=closed')).toEqual(named('Carl Closed'));
    expect(await q('rating=none')).toEqual(named('Otto Open', 'Mia Missed', 'Wanda Waiting'));
    expect(await q('from=2026-01-01&to=2026-01-31')).toEqual(named('=2+5'));
    expect(await q('to=2026-01-09')).toEqual([]);
    // Nonsense filters are no filters, never an error.
    const odd = await director.load('/livechat/conversations?state=lost&consultant=abc&from=2026-02-31&rating=9&before=x');
    expect(odd.status).toBe(200);
    expect(listed(odd.text)).toHaveLength(5);
    const page = await director.load('/livechat/conversations?state=closed');
    expect(page.text).toContain('<option value="closed" selected>');
    expect(page.text).toContain('href="/livechat/conversations.csv?state=closed"');
  });

  it('shows a consultant only the chats they handled, and refuses users without Livechat and other companies', async () => {
    expect(listed((await anna.client.load('/livechat/conversations')).text)).toEqual(named('=2+5', 'Otto Open'));
    expect(listed((await bob.client.load('/livechat/conversations')).text)).toEqual(named('Otto Open', 'Carl Closed', 'Mia Missed'));
    expect((await anna.client.agent.get(`/livechat/conversations/${ids['Carl Closed']}`)).status).toBe(404);
    expect((await anna.client.agent.get('/livechat/conversations.csv')).text).not.toContain('Carl Closed');
    for (const path of ['/livechat/conversations', '/livechat/conversations.csv', `/livechat/conversations/${ids['=2+5']}`])
      expect((await plain.agent.get(path)).status).toBe(403);
    expect(listed((await outsider.load('/livechat/conversations')).text)).toEqual([]);
    expect((await outsider.agent.get(`/livechat/conversations/${ids['=2+5']}`)).status).toBe(404);
    expect((await outsider.agent.get('/livechat/conversations.csv')).text).not.toContain('first question');
    for (const guess of ['999999', 'abc', '0', '-1', '99999999999']) expect((await director.agent.get(`/livechat/conversations/${guess}`)).status).toBe(404);
    // A company whose plan has no Livechat: refused, whoever asks.
    const noAddon = await livechatCompany(t, {}, { apiAddon: false });
    const noAddonAdmin = await signedIn(t.url, (await createUser(t.em(), noAddon.company, { role: 'admin' })).email);
    expect((await noAddonAdmin.agent.get('/livechat/conversations')).status).toBe(403);
    expect((await noAddonAdmin.agent.get(`/livechat/conversations/${ids['=2+5']}`)).status).toBe(403);
    // The gear offers the page to those who may see it.
    expect((await director.load('/')).text).toContain('href="/livechat/conversations"');
    expect((await plain.load('/')).text).not.toContain('href="/livechat/conversations"');
  });

  it('shows a transcript with every line, the transfer note and the rating, read-only', async () => {
    const res = await director.load(`/livechat/conversations/${ids['Otto Open']}`);
    expect(res.status).toBe(200);
    for (const text of ['still open', 'on it', 'You are now talking to Anna List.', 'Bob List transferred it to Anna List', 'VIP, be quick'])
      expect(res.text).toContain(text);
    expect(res.text).not.toContain('lc-composer');
    const rated = await anna.client.load(`/livechat/conversations/${ids['=2+5']}`);
    expect(rated.text).toContain('5 of 5');
    expect(rated.text).toContain('+cmd|calc');
    // Bob handed it on but handled it: he still reads it.
    expect((await bob.client.agent.get(`/livechat/conversations/${ids['Otto Open']}`)).status).toBe(200);
  });

  it('exports the filtered list as CSV with every cell quoted and formulas defused', async () => {
    const res = await director.agent.get('/livechat/conversations.csv?state=closed');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="livechat-conversations-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = res.text.replace(/^\ufeff/, '');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('"Chat","Started","Ended","State","Visitor","E-mail","Consultant","Rating","Rating comment","Messages"');
    expect(lines).toHaveLength(3);
    const byId = (id: number) => lines.find((l) => l.startsWith(`"${id}",`))!;
    expect(byId(ids['=2+5'])).toContain(`"Closed","'=2+5","","Anna List","5","'+cmd|calc","2"`);
    expect(byId(ids['Carl Closed'])).toContain(`"Carl Closed","","Bob List","2","'@SUM(A1) ""slow""","2"`);
    for (const cell of text.split(/","|\r\n"|^"|"\r\n/)) expect(cell).not.toMatch(/^[=+\-@]/);
    // In Polish, the headings and states are Polish.
    const pl = await signedIn(t.url, (await createUser(t.em(), company, { role: 'director' })).email);
    await pl.post('/language', { locale: 'pl', returnTo: '/' });
    const polish = await pl.agent.get('/livechat/conversations.csv?state=missed');
    expect(polish.text).toContain('"Nieodebrana"');
  });

  it('pages through many chats by keyset, none twice, none lost', async () => {
    const made = await livechatCompany(t);
    const boss = await signedIn(t.url, (await createUser(t.em(), made.company, { role: 'director' })).email);
    const [v] = await db().execute<{ id: number }[]>(`insert into livechat_visitor (company_id, token_hash) values (?, ?) returning id`, [
      made.company.id,
      randomUUID(),
    ]);
    await db().execute(
      `insert into livechat_chat (public_id, company_id, visitor_id, status, closed_at) select md5(random()::text), ?, ?, 'closed', now() from generate_series(1, 73)`,
      [made.company.id, v.id],
    );
    const seen: number[] = [];
    let url: string | null = '/livechat/conversations';
    let pages = 0;
    while (url && pages < 5) {
      const res = await boss.load(url);
      seen.push(...listed(res.text));
      url = /<a href="([^"]+)" rel="next">/.exec(res.text)?.[1]?.replace(/&amp;/g, '&') ?? null;
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen).toHaveLength(73);
    expect(new Set(seen).size).toBe(73);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    const csv = await boss.agent.get('/livechat/conversations.csv');
    expect(csv.text.trimEnd().split('\r\n')).toHaveLength(74);
  });
});
