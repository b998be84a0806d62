import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { io } from 'socket.io-client';
import { settle } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { eventually, LivechatCast, livechatCompany, ORIGIN, Visitor } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';

/** Who reaches what: visitors only their own chat, consultants only theirs, nothing outside the plan or the listed websites. */
describe('Livechat identity, isolation and origins', () => {
  let t: TestApp;
  const cast = new LivechatCast(() => t);
  const { visitor, chatId } = cast;
  const on = cast.consultant;
  beforeAll(async () => {
    t = await startTestApp({ LIVECHAT_SWEEP_MS: '200' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    cast.close();
    await t.close();
  });

  it('chats live both ways: the visitor’s message reaches the consultant’s page, the answer the visitor’s socket, in order', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const v = await visitor(key);
    await v.connect();
    const started = await v.start('Where is my order?', { name: 'Vera', email: 'vera@example.org' });
    expect(started.text).toContain('Where is my order?');
    const id = await chatId(v.chat);
    // The chat comes to Anna's panel with its first words; her page shows it whole, and the next message live.
    await anna.page.waitFor(/id="livechat-section"[\s\S]*Vera[\s\S]*Where is my order\?/);
    const page = await anna.client.load(`/livechat/chats/${id}`);
    expect(page.text).toContain('vera@example.org');
    expect(page.text).toContain('Where is my order?');
    await v.send('Order 1234');
    await anna.page.waitFor(new RegExp(`id="lc-log-${id}"[\\s\\S]*Where is my order\\?[\\s\\S]*Order 1234`));
    const answer = await anna.client.post(`/livechat/chats/${id}/messages`, { clientId: randomUUID(), body: 'Let me check <b>now</b>' }, { htmx: true });
    expect(answer.status).toBe(200);
    await eventually(() => expect(v.messages.map((m) => m.seq)).toEqual([1, 2, 3]));
    expect(v.messages[2].html).toContain('Let me check &lt;b&gt;now&lt;/b&gt;');
    expect(v.messages[2].html).toContain(anna.user.name);
    expect(v.messages[2].html).not.toContain('/chat/users/'); // no link to a member's profile
    // A retried send (same client id) is stored once; the catch-up from a sequence returns what came after it.
    const clientId = randomUUID();
    await v.send('thanks', clientId);
    await v.send('thanks', clientId);
    const after = await v.get(`chats/${v.chat}/messages?after=2`);
    expect(after.text.match(/data-seq="\d+"/g)).toEqual(['data-seq="3"', 'data-seq="4"']);
    // A refused message says why; an empty one is kept out.
    expect((await v.send('   ')).status).toBe(422);
  });

  it('answers a foreign token, a missing one and a guessed chat id with 401/404, and pushes nothing of another visitor’s chat', async () => {
    const { company, key } = await livechatCompany(t);
    await on(company);
    const mine = await visitor(key);
    await mine.start('mine');
    const other = await visitor(key);
    await other.connect();
    await other.start('theirs');
    // Another visitor's token with my chat's id: 404, for reading and for writing.
    const foreign = Object.assign(new Visitor(t.url, key), { token: other.token, chat: mine.chat });
    expect((await foreign.get(`chats/${mine.chat}/messages`)).status).toBe(404);
    expect((await foreign.send('sneaky')).status).toBe(404);
    // A guessed id, a made-up token, no token.
    expect((await mine.get(`chats/${mine.chat.slice(0, -2)}xx/messages`)).status).toBe(404);
    expect((await mine.get(`chats/1/messages`)).status).toBe(404);
    const madeUp = Object.assign(new Visitor(t.url, key), { token: 'A'.repeat(43), chat: mine.chat });
    expect((await madeUp.get(`chats/${mine.chat}/messages`)).status).toBe(401);
    expect((await request(t.url).post(`/livechat/${key}/api/chats/${mine.chat}/messages`).send({ body: 'x' })).status).toBe(401);
    // A token of one company's widget is nobody at another's.
    const elsewhere = await livechatCompany(t);
    const crossed = Object.assign(new Visitor(t.url, elsewhere.key), { token: mine.token });
    expect((await crossed.start('hi')).status).toBe(401);
    // The token is stored hashed.
    const [stored] = await t
      .em()
      .getConnection()
      .execute<{ n: number }[]>(`select count(*)::int as n from livechat_visitor where token_hash = ?`, [mine.token]);
    expect(stored.n).toBe(0);
    // My messages never reach the other visitor's socket.
    await mine.send('private to me');
    await settle();
    expect(other.messages.every((m) => m.chat === other.chat && !m.html.includes('private to me'))).toBe(true);
    // A socket with a made-up token, or none, is refused.
    const refused = io(`${t.url}/livechat`, { transports: ['websocket'], auth: { key, token: 'B'.repeat(43) }, reconnection: false, forceNew: true });
    await expect(
      new Promise(
        (resolve, reject) => (refused.once('connect', () => reject(new Error('admitted'))), refused.once('connect_error', (e) => resolve(e.message))),
      ),
    ).resolves.toBe('unauthorized');
    refused.close();
  });

  it('shows a chat only to the consultant it is assigned to: not a colleague, not another company', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const v = await visitor(key);
    await v.start('for Anna');
    const id = await chatId(v.chat);
    const colleague = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    const other = await livechatCompany(t);
    const outsider = await on(other.company);
    for (const client of [colleague, outsider.client]) {
      expect([403, 404]).toContain((await client.agent.get(`/livechat/chats/${id}`)).status);
      expect([403, 404]).toContain((await client.agent.get(`/livechat/chats/${id}/log`)).status);
      await client.load('/');
      expect([403, 404]).toContain((await client.post(`/livechat/chats/${id}/messages`, { clientId: randomUUID(), body: 'hijack' }, { htmx: true })).status);
    }
    await v.send('second message');
    await anna.page.waitFor('second message');
    await settle();
    expect(outsider.page.received()).not.toContain('second message');
    expect(outsider.page.received()).not.toContain(`lc-log-${id}`);
    // Anna's answer after the chat closed: the composer says it was not sent.
    await anna.client.load(`/livechat/chats/${id}`);
    await t.em().getConnection().execute(`update livechat_chat set status = 'closed' where id = ?`, [id]);
    const late = await anna.client.post(`/livechat/chats/${id}/messages`, { clientId: randomUUID(), body: 'too late' }, { htmx: true });
    expect(late.status).toBe(404);
    expect(late.text).toContain('your answer was not sent');
    expect(late.text).not.toContain('<html');
    const [{ n }] = await t.em().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from livechat_message where body = 'hijack'`);
    expect(n).toBe(0);
  });

  it('keeps to the plan table: without the API add-on there is no widget, no settings and no socket', async () => {
    const { company, key } = await livechatCompany(t, {}, { apiAddon: false });
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const a = await signedIn(t.url, admin.email);
    expect((await a.agent.get('/livechat/settings')).status).toBe(403);
    expect((await a.agent.get('/')).text).not.toContain('href="/livechat/settings"');
    expect((await request(t.url).get(`/livechat/${key}/loader.js`)).status).toBe(404);
    expect((await request(t.url).get(`/livechat/${key}/widget`)).status).toBe(404);
    expect((await request(t.url).post(`/livechat/${key}/api/visitor`).set('Origin', ORIGIN)).status).toBe(404);
    // The same company with the add-on: everything is there.
    await t.em().getConnection().execute(`update company set api_addon = true where id = ?`, [company.id]);
    expect((await a.agent.get('/livechat/settings')).status).toBe(200);
    expect((await request(t.url).get(`/livechat/${key}/loader.js`)).status).toBe(200);
    // A plan without the chat has none, add-on or not.
    await t.em().getConnection().execute(`update company set plan = 'start' where id = ?`, [company.id]);
    expect((await request(t.url).get(`/livechat/${key}/widget`)).status).toBe(404);
  });

  it('lets only the listed websites frame the widget and call its API', async () => {
    const { key } = await livechatCompany(t, { origins: [ORIGIN, 'http://localhost:8080'] });
    const widget = await request(t.url).get(`/livechat/${key}/widget`);
    expect(widget.status).toBe(200);
    expect(widget.headers['content-security-policy']).toContain(`frame-ancestors 'self' ${ORIGIN} http://localhost:8080;`);
    expect(widget.headers['x-frame-options']).toBeUndefined();
    // CORS: a listed origin is answered with its own name, another is refused outright.
    const listed = await request(t.url).post(`/livechat/${key}/api/visitor`).set('Origin', ORIGIN);
    expect(listed.status).toBe(201);
    expect(listed.headers['access-control-allow-origin']).toBe(ORIGIN);
    const preflight = await request(t.url)
      .options(`/livechat/${key}/api/state`)
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Headers', 'x-livechat-token');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('x-livechat-token');
    for (const origin of ['https://evil.example.com', 'https://shop.example.com.evil.net', 'null']) {
      const res = await request(t.url).post(`/livechat/${key}/api/visitor`).set('Origin', origin);
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    // The socket too.
    const v = await visitor(key);
    const evil = io(`${t.url}/livechat`, {
      transports: ['websocket'],
      auth: { key, token: v.token },
      extraHeaders: { Origin: 'https://evil.example.com' },
      reconnection: false,
      forceNew: true,
    });
    await expect(
      new Promise((resolve, reject) => (evil.once('connect', () => reject(new Error('admitted'))), evil.once('connect_error', (e) => resolve(e.message)))),
    ).resolves.toBe('forbidden');
    evil.close();
    // An unknown key is a 404 everywhere; Gwar's own pages still refuse framing.
    expect((await request(t.url).get(`/livechat/${'x'.repeat(30)}/widget`)).status).toBe(404);
    expect((await request(t.url).get('/login')).headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('routes a chat whose deadline passed while no event came (as after a restart) on the next sweep', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const v = await visitor(key);
    await v.start('hello');
    const bob = await on(company);
    // Written straight in, as a deadline that passed while every instance was down.
    await t.em().getConnection().execute(`update livechat_chat set answer_deadline = now() - interval '1 second' where public_id = ?`, [v.chat]);
    await eventually(async () => {
      const [row] = await t.em().getConnection().execute<{ consultant_id: number }[]>(`select consultant_id from livechat_chat where public_id = ?`, [v.chat]);
      expect(row.consultant_id).toBe(bob.user.id);
    });
    expect(anna.user.id).not.toBe(bob.user.id);
  });
});
