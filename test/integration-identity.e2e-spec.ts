import request from 'supertest';
import { TOKEN_BURST, TOKEN_RATE_LIMIT } from '../src/integrations/api-docs.decorators';
import { createGroup } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { generateToken } from './support/integrations';

/** Issue 21: an integration's identity outlives its tokens, and its idempotency keys follow the IETF draft. */
describe('integration identity and idempotency keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  const generate = (client: Client, groupId: number, integrationName?: string) =>
    generateToken(client, groupId, integrationName === undefined ? {} : { integrationName });

  async function scene() {
    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin', name: 'Anna Nowak' });
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Orders', []);
    return { company, admin, ad, groupId, token: await generate(ad, groupId, 'Webshop') };
  }

  const post = (token: string, body: object, key?: string) => {
    const req = request(t.url).post('/api/v1/messages').set('Authorization', `Bearer ${token}`);
    return (key ? req.set('Idempotency-Key', key) : req).send(body);
  };
  const windowOf = async (client: Client, groupId: number) => (await client.agent.get(`/chat/conversations/${groupId}`).set('HX-Request', 'true')).text;
  const messageHtml = (html: string, text: string) => {
    const li = html.split('<li ').find((part) => part.includes(text));
    if (!li) throw new Error(`no message "${text}" in the window`);
    return li;
  };

  it('keeps the API badge and the integration’s name on its messages through a revoke and a regenerate', async () => {
    const s = await scene();
    expect((await post(s.token, { text: 'posted before the revoke', displayName: 'Anna Nowak' })).status).toBe(201);
    await s.ad.load(`/chat/groups/${s.groupId}/api-token`);
    expect((await s.ad.agent.delete(`/chat/groups/${s.groupId}/api-token`).set('X-CSRF-Token', s.ad.csrf)).status).toBe(200);
    const afterRevoke = messageHtml(await windowOf(s.ad, s.groupId), 'posted before the revoke');
    // A display name that is a member's name never passes for the member: the badge and the integration show.
    expect(afterRevoke).toContain('api-badge');
    expect(afterRevoke).toContain('(Webshop)');
    expect(afterRevoke).not.toContain(`/chat/users/${s.admin.id}/details`);
    expect(afterRevoke).not.toContain('/chat/users//details');

    const token = await generate(s.ad, s.groupId);
    expect((await post(token, { text: 'posted with the new token' })).status).toBe(201);
    const html = await windowOf(s.ad, s.groupId);
    expect(messageHtml(html, 'posted before the revoke')).toContain('api-badge');
    expect(messageHtml(html, 'posted with the new token')).toContain('Webshop');
    expect(messageHtml(html, 'posted with the new token')).toContain('api-badge');
  });

  it('refuses a reused key with another body (422), replays the same body (200), and keeps keys across a regenerate', async () => {
    const s = await scene();
    const first = await post(s.token, { text: 'Order #1 paid' }, 'order-1');
    expect(first.status).toBe(201);
    const again = await post(s.token, { text: 'Order #1 paid' }, 'order-1');
    expect(again.status).toBe(200);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const other = await post(s.token, { text: 'Order #2 paid' }, 'order-1');
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(other.body.detail).toMatch(/Idempotency-Key/);

    const token = await generate(s.ad, s.groupId);
    const afterRegenerate = await post(token, { text: 'Order #1 paid' }, 'order-1');
    expect(afterRegenerate.status).toBe(200);
    expect(afterRegenerate.body.id).toBe(first.body.id);
    const rows = await t.em().getConnection().execute(`select count(*)::int as n from message where conversation_id = ?`, [s.groupId]);
    expect(rows[0].n).toBe(1);
  });

  it('forgets a key after 24 hours: the same key then makes a new message', async () => {
    const s = await scene();
    const first = await post(s.token, { text: 'daily report' }, 'report');
    await t.em().getConnection().execute(`update api_idempotency_key set created_at = now() - interval '25 hours'`);
    const next = await post(s.token, { text: 'daily report' }, 'report');
    expect(next.status).toBe(201);
    expect(next.body.id).not.toBe(first.body.id);
    expect((await post(s.token, { text: 'daily report' }, 'report')).status).toBe(200);
  });

  it('counts only accepted messages toward the limit: retries and refused requests do not', async () => {
    const s = await scene();
    expect((await post(s.token, { text: 'once' }, 'k')).status).toBe(201);
    for (let i = 0; i < TOKEN_RATE_LIMIT + 5; i++) {
      expect((await post(s.token, { text: 'once' }, 'k')).status).toBe(200);
      expect((await post(s.token, { text: '' })).status).toBe(422);
    }
    expect((await post(s.token, { text: 'still accepted' })).status).toBe(201);
  });

  it('names the integration on the token form, and refuses a name over 100 characters keeping what was typed', async () => {
    const s = await scene();
    const form = await s.ad.load(`/chat/groups/${s.groupId}/api-token`);
    expect(form.text).toContain('value="Webshop"');
    // The example request makes a new key each time it runs, so running it twice posts twice.
    const regenerated = await s.ad.post(`/chat/groups/${s.groupId}/api-token`, { origins: '', integrationName: 'Webshop' });
    expect(regenerated.text).toContain('Idempotency-Key: $(uuidgen)');
    const long = 'x'.repeat(101);
    const res = await s.ad.post(`/chat/groups/${s.groupId}/api-token`, { origins: 'https://shop.example', integrationName: long });
    expect(res.status).toBe(422);
    expect(res.text).toContain(long);
    expect(res.text).toContain('https://shop.example');
  });

  it('names every answer with a request id (echoed when sent), and says RateLimit', async () => {
    const s = await scene();
    const posted = await post(s.token, { text: 'with an id' }).set('X-Request-Id', 'shop-42');
    expect(posted.headers['x-request-id']).toBe('shop-42');
    expect(posted.headers['ratelimit-policy']).toBe('"messages";q=30;w=15');
    expect(posted.headers.ratelimit).toMatch(/r=\d+;t=\d+/);
    const refused = await post(s.token, { text: '' });
    expect(refused.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(refused.body.requestId).toBe(refused.headers['x-request-id']);
    // Something a header or a log line could trip on is not echoed: a fresh id is given instead.
    const odd = await request(t.url).get('/health').set('X-Request-Id', 'a b<c>');
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await request(t.url).get('/').set('X-Request-Id', 'page-1')).headers['x-request-id']).toBe('page-1');
  });

  it('answers a mistyped API path with a 404 problem, and an empty JSON body with what is missing', async () => {
    const s = await scene();
    const typo = await request(t.url).post('/api/v1/mesages').set('Authorization', `Bearer ${s.token}`).send({ text: 'x' });
    expect(typo.status).toBe(404);
    expect(typo.headers['content-type']).toContain('application/problem+json');
    expect(typo.body.detail).toBeTruthy();
    const empty = await request(t.url).post('/api/v1/messages').set('Authorization', `Bearer ${s.token}`).set('Content-Type', 'application/json').send('');
    expect(empty.status).toBe(422);
    expect(empty.body.detail).toMatch(/text/);
    const tooLarge = await request(t.url)
      .post('/api/v1/messages')
      .set('Authorization', `Bearer ${s.token}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ text: 'x'.repeat(300_000) }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.detail).toBeTruthy();
  });

  it('answers posts racing a revoke with 201, 401 or 429, never 500, and every stored one keeps its badge', async () => {
    const s = await scene();
    await s.ad.load(`/chat/groups/${s.groupId}/api-token`);
    const posts = Array.from({ length: 40 }, (_, i) => post(s.token, { text: `race ${i}` }));
    const revoke = s.ad.agent.delete(`/chat/groups/${s.groupId}/api-token`).set('X-CSRF-Token', s.ad.csrf);
    const [statuses] = await Promise.all([Promise.all(posts).then((all) => all.map((r) => r.status)), revoke]);
    expect(statuses.filter((status) => ![201, 401, 429].includes(status))).toEqual([]);
    const rows = await t
      .em()
      .getConnection()
      .execute(`select count(*)::int as n, count(integration_id)::int as badged from message where conversation_id = ?`, [s.groupId]);
    expect(rows[0].n).toBe(statuses.filter((status) => status === 201).length);
    expect(rows[0].badged).toBe(rows[0].n);
  });

  it('takes an integration’s messages from a token bucket: a burst of 30, then one every 0.5 s, with no boundary to burst across', async () => {
    const s = await scene();
    const began = Date.now();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(s.token, { text: `burst ${i}` })));
    const refilled = Math.floor((Date.now() - began) / 500);
    const accepted = answers.filter((r) => r.status === 201).length;
    expect(accepted).toBeGreaterThanOrEqual(TOKEN_BURST);
    expect(accepted).toBeLessThanOrEqual(TOKEN_BURST + refilled);
    expect(answers.filter((r) => r.status !== 201 && r.status !== 429)).toEqual([]);
    const refused = answers.find((r) => r.status === 429) ?? (await post(s.token, { text: 'one more' }));
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers.ratelimit).toMatch(/^"messages";r=0;t=\d+$/);
    // A second later the bucket holds two again: no waiting for a window to start afresh.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await post(s.token, { text: 'refilled 1' })).status).toBe(201);
    expect((await post(s.token, { text: 'refilled 2' })).status).toBe(201);
    // Posting as fast as it can for 3 s more, it gets about one in every 0.5 s, never a fixed window's worth at once.
    const from = Date.now();
    let more = 0;
    while (Date.now() < from + 3000) if ((await post(s.token, { text: `steady ${more}` })).status === 201) more++;
    expect(more).toBeGreaterThanOrEqual(1);
    expect(more).toBeLessThanOrEqual(Math.ceil((Date.now() - from) / 500) + 1);
  });
});
