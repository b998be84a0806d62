import request from 'supertest';
import { Company } from '../src/accounts/company.entity';
import { Message } from '../src/chat/message.entity';
import { GroupApiToken } from '../src/integrations/group-api-token.entity';
import { TOKEN_BURST } from '../src/integrations/api-docs.decorators';
import { createGroup, Page, settle } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { generateToken, tokenIn } from './support/integrations';

describe('group API tokens and the integrators’ REST API', () => {
  let t: TestApp;
  const pages: Page[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterEach(() => pages.splice(0).forEach((p) => p.close()));
  afterAll(() => t.close());

  async function groupWithToken(options: { origins?: string } = {}) {
    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const member = await createUser(t.em(), company);
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Orders', [member.id]);
    const token = await generate(ad, groupId, options.origins);
    return { company, admin, member, ad, groupId, token };
  }

  async function generate(client: Client, groupId: number, origins = ''): Promise<string> {
    return generateToken(client, groupId, { origins });
  }

  const post = (token: string | null, body: unknown = { text: 'Hello from the shop' }, headers: Record<string, string> = {}) => {
    let req = request(t.url).post('/api/v1/messages').set(headers);
    if (token) req = req.set('Authorization', `Bearer ${token}`);
    return typeof body === 'string' ? req.set('Content-Type', 'application/json').send(body) : req.send(body as object);
  };
  const stored = (groupId: number) => t.em().find(Message, { conversation: groupId }, { filters: false });

  it('shows a new token once, with an example request, and afterwards only its first characters', async () => {
    const { ad, groupId, token } = await groupWithToken();
    expect(token).toMatch(/^gwar_[\w-]{43}$/);
    const page = await ad.load(`/chat/groups/${groupId}/api-token`);
    expect(page.text).not.toContain(token);
    expect(page.text).toContain(token.slice(0, 12));
  });

  it('posts a message that appears live in the group, shown as from the integration', async () => {
    const { member, groupId, token } = await groupWithToken();
    const m = await signedIn(t.url, member.email);
    const page = await Page.open(t.url, m, [groupId]);
    pages.push(page);
    const res = await post(token, { text: 'Order #1042 paid', displayName: 'Shop' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ groupId, text: 'Order #1042 paid', displayName: 'Shop' });
    const pushed = await page.waitFor('Order #1042 paid');
    expect(pushed).toContain('Shop');
    expect(pushed).toContain('via-api');
    const [row] = await stored(groupId);
    expect(row).toMatchObject({ body: 'Order #1042 paid', displayName: 'Shop', author: null });
  });

  it('never creates a second message for a retried Idempotency-Key, even with 100 retries at once', async () => {
    const { groupId, token } = await groupWithToken();
    const results = await Promise.all(Array.from({ length: 100 }, () => post(token, { text: 'exactly once' }, { 'Idempotency-Key': 'order-7' })));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(99).fill(200), 201].sort());
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotency-replayed'] === 'true')).toHaveLength(99);
    expect(await stored(groupId)).toHaveLength(1);
    expect((await post(token, { text: 'another' }, { 'Idempotency-Key': 'order-8' })).status).toBe(201);
    expect(await stored(groupId)).toHaveLength(2);
  });

  it.each([
    ['no Authorization header', null, 401, 'Authorization: Bearer'],
    ['a malformed token', 'not-a-token', 401, 'not valid'],
    ['an unknown token', `gwar_${'A'.repeat(43)}`, 401, 'not valid'],
  ])('answers %s with a 401 problem', async (_case, token, status, detail) => {
    const res = await post(token);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.body.detail).toContain(detail);
  });

  it('stops the old token at once when it is regenerated, and any token when it is revoked', async () => {
    const { ad, groupId, token } = await groupWithToken();
    const fresh = await generate(ad, groupId);
    expect((await post(token)).status).toBe(401);
    expect((await post(fresh)).status).toBe(201);
    await ad.load(`/chat/groups/${groupId}/api-token`);
    expect((await ad.agent.delete(`/chat/groups/${groupId}/api-token`).set('X-CSRF-Token', ad.csrf)).status).toBe(200);
    expect((await post(fresh)).status).toBe(401);
  });

  it.each([
    ['missing text', { displayName: 'x' }, 422, '"text" is required.'],
    ['blank text', { text: '  ' }, 422, 'must not be blank'],
    ['text over 10,000 characters', { text: 'x'.repeat(10_001) }, 422, 'too long'],
    ['a display name over 100 characters', { text: 'ok', displayName: 'n'.repeat(101) }, 422, '"displayName" is too long'],
    ['a JSON array', '[1,2]', 422, 'must be a JSON object'],
    ['bad JSON', '{"text": ', 400, ''],
  ])('answers %s with a problem that says what is wrong', async (_case, body, status, detail) => {
    const { groupId, token } = await groupWithToken();
    const res = await post(token, body);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status, type: expect.stringMatching(/^\/api\/problems\/[a-z-]+$/) });
    // The type names the error, and its URI says what it means.
    expect((await request(t.url).get(res.body.type)).body).toMatchObject({ status, type: res.body.type });
    expect(res.body.detail ?? '').toContain(detail);
    expect(await stored(groupId)).toHaveLength(0);
  });

  it('refuses a body that is not JSON with 415, and a bad Idempotency-Key with 400', async () => {
    const { token } = await groupWithToken();
    const form = await request(t.url).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).type('form').send({ text: 'hi' });
    expect(form.status).toBe(415);
    expect(form.body.detail).toContain('application/json');
    expect((await post(token, { text: 'hi' }, { 'Idempotency-Key': 'x'.repeat(201) })).status).toBe(400);
  });

  it('limits requests per token with 429 and Retry-After', async () => {
    const { token } = await groupWithToken();
    // A bucket of 30 that refills one every 0.5 s: bursts of 40 at once run it dry, however slow the machine.
    let limited: request.Response | undefined;
    for (let round = 0; round < 5 && !limited; round++) {
      const burst = await Promise.all(Array.from({ length: TOKEN_BURST + 10 }, (_, i) => post(token, { text: `n${round}-${i}` })));
      limited = burst.find((r) => r.status === 429);
    }
    if (!limited) throw new Error('five bursts of 40 posts were never refused');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
  });

  it('posts only into its own group: another company’s pages get nothing', async () => {
    const a = await groupWithToken();
    const b = await groupWithToken();
    const bMember = await signedIn(t.url, b.member.email);
    const bPage = await Page.open(t.url, bMember, [b.groupId]);
    pages.push(bPage);
    expect((await post(a.token, { text: 'for company A only' })).status).toBe(201);
    await settle();
    expect(bPage.received()).not.toContain('for company A only');
    expect(await stored(b.groupId)).toHaveLength(0);
    expect((await stored(a.groupId)).map((m) => m.body)).toEqual(['for company A only']);
  });

  it('keeps token screens to administrators and directors of a company with the API add-on', async () => {
    const { company, member, groupId, token } = await groupWithToken();
    const m = await signedIn(t.url, member.email);
    expect((await m.agent.get(`/chat/groups/${groupId}/api-token`)).status).toBe(403);
    await m.load('/');
    expect((await m.post(`/chat/groups/${groupId}/api-token`, {})).status).toBe(403);
    const stranger = await signedIn(t.url, (await createUser(t.em(), await createCompany(t.em()), { role: 'admin' })).email);
    expect((await stranger.agent.get(`/chat/groups/${groupId}/api-token`)).status).toBe(404);

    const em = t.em();
    await em.nativeUpdate(Company, { id: company.id }, { apiAddon: false });
    const res = await post(token);
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('API add-on');
    const admin = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    expect((await admin.agent.get(`/chat/groups/${groupId}/api-token`)).status).toBe(404);
  });

  it('lets a token be used from the browser only on the websites allowed for it', async () => {
    const { token } = await groupWithToken({ origins: 'https://shop.example.com' });
    const preflight = await request(t.url).options('/api/v1/messages').set('Origin', 'https://shop.example.com').set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('Idempotency-Key');
    const allowed = await post(token, { text: 'from the shop page' }, { Origin: 'https://shop.example.com' });
    expect(allowed.status).toBe(201);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(allowed.headers['access-control-expose-headers']).toContain('Idempotency-Replayed');
    // A website no integration allows fails at the preflight: the browser never sends the request.
    const refusedPreflight = await request(t.url)
      .options('/api/v1/messages')
      .set('Origin', 'https://evil.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(refusedPreflight.status).toBe(403);
    expect(refusedPreflight.headers['access-control-allow-origin']).toBeUndefined();
    // A request that gets through anyway (no preflight, or another integration allows the site) is refused in words
    // the page can read, and nothing is posted.
    const other = await post(token, { text: 'from elsewhere' }, { Origin: 'https://evil.example.com' });
    expect(other.status).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBe('https://evil.example.com');
    expect(other.body.detail).toContain('https://evil.example.com');
  });

  it('leaves exactly one working token when it is regenerated from several tabs at once', async () => {
    const { ad, groupId } = await groupWithToken();
    await ad.load(`/chat/groups/${groupId}/api-token`);
    const results = await Promise.all(Array.from({ length: 6 }, () => ad.post(`/chat/groups/${groupId}/api-token`, { origins: '' })));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(await t.em().count(GroupApiToken, { conversation: groupId }, { filters: false })).toBe(1);
    const tokens = results.map((r) => tokenIn(r.text));
    const statuses = await Promise.all(tokens.map((token) => post(token).then((r) => r.status)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  });

  it('refuses website origins that are not origins, keeping what was typed', async () => {
    const { ad, groupId } = await groupWithToken();
    await ad.load(`/chat/groups/${groupId}/api-token`);
    const res = await ad.post(`/chat/groups/${groupId}/api-token`, { origins: 'https://ok.example.com\njavascript:alert(1)' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('javascript:alert(1)');
    expect(res.text).toContain('These are not website origins');
  });

  it('publishes an OpenAPI document generated from the code and a readable docs page', async () => {
    const doc = await request(t.url).get('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths).sort()).toEqual(['/api/v1/callbacks', '/api/v1/files', '/api/v1/messages', '/api/v1/messages/{id}']);
    expect(doc.body.paths['/api/v1/messages'].post.responses).toHaveProperty('429');
    const page = await request(t.url).get('/api/docs/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
  });
});
