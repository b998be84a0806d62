import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import request from 'supertest';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { Page, settle } from '../support/chat';
import { eventually, LivechatCast, ORIGIN } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';
import { callbackCompany, postCallback, requestRows } from './support';

/** Taking requests: numbers checked and stored as E.164 in several countries, repeats joined, limits, and who may see what. */
describe('Callback requests', () => {
  let t: TestApp;
  const cast = new LivechatCast(() => t);
  beforeAll(async () => {
    t = await startTestApp({ CALLBACK_SWEEP_MS: '100', TRUST_PROXY: 'true' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    cast.close();
    await t.close();
  });

  const GOOD: [string, string, string][] = [
    ['PL', '600 100 200', '+48600100200'],
    ['PL', '+48 12 345 67 89', '+48123456789'],
    ['PL', '0048 600-100-200', '+48600100200'],
    ['DE', '030 901820', '+4930901820'],
    ['DE', '+49 151 23456789', '+4915123456789'],
    ['GB', '020 7946 0018', '+442079460018'],
    ['GB', '07911 123456', '+447911123456'],
    ['US', '(202) 555-0143', '+12025550143'],
    ['US', '+1 212 555 0100', '+12125550100'],
    ['PL', '+33 1 23 45 67 89', '+33123456789'],
    ['PL', '+420 601 123 456', '+420601123456'],
  ];
  const BAD: [string, string, string][] = [
    ['PL', '', 'Enter a phone number'],
    ['PL', '12', 'too short'],
    ['PL', '600 100 200 300 400 500', 'too long'],
    ['PL', '+48 000 000 000', 'No phone number in its country'],
    ['PL', 'call me maybe', 'not a phone number'],
    ['PL', '+999 123 456', 'country calling code'],
    ['US', '123456', 'too short'],
    ['DE', '+49 30', 'too short'],
    ['GB', '+44 1234', 'too short'],
    ['PL', '=1+1', 'not a phone number'],
  ];

  it('stores good numbers from several countries as E.164, read in the company’s default country first', async () => {
    for (const [country, typed, e164] of GOOD) {
      const { key, company } = await callbackCompany(t, { defaultCountry: country });
      const res = await postCallback(t, key, { phone: typed, name: 'Vera', topic: 'Order' });
      expect({ typed, status: res.status, phone: res.body.phone }).toEqual({ typed, status: 201, phone: e164 });
      expect((await requestRows(t, company.id)).map((r) => r.phone)).toEqual([e164]);
    }
  });

  it('refuses bad numbers with a 422 problem that says why, and stores nothing', async () => {
    const { key, company } = await callbackCompany(t);
    for (const [country, typed, why] of BAD) {
      await t.em().getConnection().execute(`update callback_settings set default_country = ? where company_id = ?`, [country, company.id]);
      const res = await postCallback(t, key, { phone: typed });
      expect({ typed, status: res.status, type: res.headers['content-type'] }).toEqual({
        typed,
        status: 422,
        type: expect.stringContaining('application/problem+json'),
      });
      expect(res.body.type).toBe('/api/problems/invalid-body');
      expect(res.body.detail).toContain(why);
      expect(res.body.errors[0].field).toBe('phone');
    }
    expect(await requestRows(t, company.id)).toEqual([]);
    // And the rest of the body: consent, a slot outside working hours, wrong kinds, unknown fields.
    expect((await postCallback(t, key, { phone: '600100200', consent: false })).body.errors[0].field).toBe('consent');
    expect((await postCallback(t, key, { phone: '600100200', preferredTime: '2020-01-01T10:00' })).body.detail).toContain('passed');
    expect((await postCallback(t, key, { phone: '600100200', preferredTime: 'tomorrow' })).status).toBe(422);
    expect((await postCallback(t, key, { phone: 600100200 })).body.detail).toContain('"phone" must be a string');
    expect((await postCallback(t, key, { phone: '600100200', extra: 1 })).status).toBe(422);
    expect((await request(t.url).post('/api/v1/callbacks').set('X-Widget-Key', key).type('form').send({ phone: '600100200' })).status).toBe(415);
  });

  it('joins a repeat for a number already waiting (“asked again at …”) instead of adding a second card', async () => {
    const { key, company } = await callbackCompany(t);
    const first = await postCallback(t, key, { phone: '600 100 200', topic: 'Invoice' });
    const again = await postCallback(t, key, { phone: '+48600100200', topic: 'Still waiting' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: first.body.id, phone: '+48600100200', merged: true });
    const rows = await requestRows(t, company.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].asked_count).toBe(2);
    // A slot within working hours is kept; a different number is its own request.
    const slot = nextHour();
    expect((await postCallback(t, key, { phone: '600 100 201', preferredTime: slot })).status).toBe(201);
    expect(await requestRows(t, company.id)).toHaveLength(2);
    // The card shows the slot as it was asked for: a time of the company's working hours, in its time zone.
    const anna = await cast.consultant(company, 'callback', 'Anna Slot');
    const queue = await anna.client.load('/callback');
    expect(queue.text).toContain(`${slot.slice(11, 16)} <span class="cb-zone">(Europe/Warsaw)</span>`);
  });

  it('limits one number per day and one company per day', async () => {
    const { key, company } = await callbackCompany(t, { dailyLimit: 3, challengeAfter: 50 });
    for (let i = 0; i < 5; i++) expect((await postCallback(t, key, { phone: '600 100 200' })).status).toBeLessThan(300);
    const sixth = await postCallback(t, key, { phone: '600 100 200' });
    expect(sixth.status).toBe(429);
    expect(sixth.body.detail).toContain('This number was sent too many times today');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect((await postCallback(t, key, { phone: '600 100 201' })).status).toBe(201);
    expect((await postCallback(t, key, { phone: '600 100 202' })).status).toBe(201);
    const over = await postCallback(t, key, { phone: '600 100 203' });
    expect(over.status).toBe(429);
    expect(over.body.detail).toContain('cannot take more callback requests today');
    expect(await requestRows(t, company.id)).toHaveLength(3);
  });

  it('asks a busy address for the Livechat’s proof of work: the problem carries the challenge, a solution is taken once', async () => {
    const busy = await callbackCompany(t, { challengeAfter: 2 });
    const ip = '203.0.113.77';
    expect((await postCallback(t, busy.key, { phone: '600 100 210' }, ORIGIN, ip)).status).toBe(201);
    expect((await postCallback(t, busy.key, { phone: '600 100 211' }, ORIGIN, ip)).status).toBe(201);
    const third = await postCallback(t, busy.key, { phone: '600 100 212' }, ORIGIN, ip);
    expect(third.status).toBe(403);
    expect(third.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(third.body).toMatchObject({ type: '/api/problems/challenge-required', status: 403 });
    expect(third.body.detail).toContain('"challenge"');
    const challenge = third.body.challenge as Challenge;
    expect(challenge.parameters.algorithm).toBe('SHA-256');
    // Another address is not asked.
    expect((await postCallback(t, busy.key, { phone: '600 100 213' }, ORIGIN, '203.0.113.78')).status).toBe(201);
    const solution = await solveChallenge({ challenge, deriveKey });
    const payload = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    const wrong = Buffer.from(JSON.stringify({ challenge, solution: { ...solution, derivedKey: '0'.repeat(64) } })).toString('base64');
    const refused = await postCallback(t, busy.key, { phone: '600 100 212', challenge: wrong }, ORIGIN, ip);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('wrong, expired or already used');
    const solved = await postCallback(t, busy.key, { phone: '600 100 212', challenge: payload }, ORIGIN, ip);
    expect(solved.status).toBe(201);
    expect(solved.body.phone).toBe('+48600100212');
    const replayed = await postCallback(t, busy.key, { phone: '600 100 214', challenge: payload }, ORIGIN, ip);
    expect(replayed.status).toBe(403);
    expect(replayed.body.type).toBe('/api/problems/challenge-required');
    expect(replayed.body.challenge.parameters.nonce).not.toBe(challenge.parameters.nonce); // a fresh one to solve
    expect((await requestRows(t, busy.company.id)).map((r) => r.phone)).toEqual(['+48600100210', '+48600100211', '+48600100213', '+48600100212']);
    // A solution of another widget's challenge is no good here.
    const other = await callbackCompany(t, { challengeAfter: 1 });
    expect((await postCallback(t, other.key, { phone: '600 100 218' }, ORIGIN, ip)).status).toBe(201);
    const asked = await postCallback(t, other.key, { phone: '600 100 215' }, ORIGIN, ip);
    expect(asked.status).toBe(403);
    const theirs = asked.body.challenge as Challenge;
    const theirPayload = Buffer.from(JSON.stringify({ challenge: theirs, solution: await solveChallenge({ challenge: theirs, deriveKey }) })).toString(
      'base64',
    );
    expect((await postCallback(t, busy.key, { phone: '600 100 216', challenge: theirPayload }, ORIGIN, ip)).status).toBe(403);
    // The widget's tab: the altcha holder, the visitor's typed values kept; the widget's "altcha" field is taken.
    const form = await request(t.url)
      .post(`/livechat/${busy.key}/api/callback`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ phone: '600 100 217', name: 'Ewa Nowak', topic: 'Order 1042', consent: 'on' });
    expect(form.status).toBe(403);
    expect(form.text).toContain('Let your browser solve a short check');
    expect(form.text).toContain('value="Ewa Nowak"');
    expect(form.text).toContain('value="Order 1042"');
    const widgetChallenge = JSON.parse(
      /data-lc-altcha="([^"]+)"/
        .exec(form.text)![1]
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    ) as Challenge;
    const widgetPayload = Buffer.from(
      JSON.stringify({ challenge: widgetChallenge, solution: await solveChallenge({ challenge: widgetChallenge, deriveKey }) }),
    ).toString('base64');
    const sent = await request(t.url)
      .post(`/livechat/${busy.key}/api/callback`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ phone: '600 100 217', name: 'Ewa Nowak', topic: 'Order 1042', consent: 'on', altcha: widgetPayload });
    expect(sent.status).toBe(200);
    expect((await requestRows(t, busy.company.id)).map((r) => r.phone)).toContain('+48600100217');
  });

  it('answers another company’s key, an unknown key, Callback off, a foreign website and a guessed id with 404/403', async () => {
    const { key, company } = await callbackCompany(t);
    expect((await postCallback(t, 'k' + 'x'.repeat(31), { phone: '600100200' })).status).toBe(404);
    expect((await request(t.url).post('/api/v1/callbacks').send({ phone: '600100200', consent: true })).status).toBe(401);
    const foreign = await postCallback(t, key, { phone: '600100200' }, 'https://evil.example.net');
    expect(foreign.status).toBe(403);
    expect(foreign.body.type).toBe('/api/problems/origin-not-allowed');
    // CORS for a listed website, and its preflight.
    const ok = await postCallback(t, key, { phone: '600100200' });
    expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
    const preflight = await request(t.url).options('/api/v1/callbacks').set('Origin', ORIGIN).set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('X-Widget-Key');
    expect((await request(t.url).options('/api/v1/callbacks').set('Origin', 'https://evil.example.net')).status).toBe(403);
    // The OpenAPI document describes it, with the widget key as its security scheme.
    const doc = (await request(t.url).get('/api/openapi.json')).body as {
      paths: Record<string, { post?: { security?: unknown[] } }>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.paths['/api/v1/callbacks'].post?.security).toEqual([{ widgetKey: [] }]);
    expect(doc.components.securitySchemes.widgetKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Widget-Key' });
    // Callback off, or no API add-on: no Callback for the key.
    const off = await callbackCompany(t);
    await t.em().getConnection().execute(`update callback_settings set enabled = false where company_id = ?`, [off.company.id]);
    expect((await postCallback(t, off.key, { phone: '600100200' })).status).toBe(404);
    const noAddon = await callbackCompany(t, {}, { apiAddon: false });
    expect((await postCallback(t, noAddon.key, { phone: '600100200' })).status).toBe(404);
    // A consultant of another company cannot claim or see this company's request: 404 for a guessed id.
    const [row] = await requestRows(t, company.id);
    const other = await callbackCompany(t);
    const outsider = await cast.consultant(other.company, 'callback');
    expect((await outsider.client.post(`/callback/requests/${row.id}/claim`, {}, { htmx: true })).status).toBe(404);
    expect((await outsider.client.post(`/callback/requests/999999/claim`, {}, { htmx: true })).status).toBe(404);
    expect((await requestRows(t, company.id))[0].status).toBe('waiting');
  });

  it('shows the group and pushes it only to Callback consultants on duty; others get 403 and no push', async () => {
    const { key, company } = await callbackCompany(t);
    const anna = await cast.consultant(company, 'callback', 'Anna Callback');
    const ben = await cast.consultant(company, 'livechat-callback', 'Ben Both');
    const lena = await cast.consultant(company, 'livechat', 'Lena Livechat'); // no Callback flag
    const plain = await createUser(t.em(), company, { name: 'Paul Plain' });
    const paul = await signedIn(t.url, plain.email);
    const paulPage = await Page.open(t.url, paul);
    // Configured for Callback but in the plain "Available" status: not on duty.
    const idle = await cast.consultant(company, 'available', 'Ida Idle');
    await t.em().getConnection().execute(`update app_user set callback_configured = true where id = ?`, [idle.user.id]);
    const res = await postCallback(t, key, { phone: '+49 30 901820', name: 'Dieter', topic: 'Quote <b>now</b>' });
    expect(res.status).toBe(201);
    for (const c of [anna, ben]) {
      const html = await c.page.waitFor(/id="callback-section"[\s\S]*\+4930901820/);
      expect(html).toContain('href="tel:+4930901820"');
      expect(html).toContain('Quote &lt;b&gt;now&lt;/b&gt;');
      expect(html).toContain('data-callback-chime="new:');
      expect(html).toContain('Website widget'.replace('Website widget', 'API'));
    }
    await settle();
    for (const p of [lena.page, paulPage, idle.page]) expect(p.received()).not.toContain('+4930901820');
    expect((await lena.client.load('/callback/section')).status).toBe(403);
    expect((await paul.load('/callback/section')).status).toBe(403);
    expect((await paul.post(`/callback/requests/${res.body.id}/claim`, {}, { htmx: true })).status).toBe(403);
    expect((await idle.client.post(`/callback/requests/${res.body.id}/claim`, {}, { htmx: true })).status).toBe(403);
    const idleSection = await idle.client.load('/callback/section');
    expect(idleSection.text).not.toContain('+4930901820');
    expect((await paul.load('/callback/history')).status).toBe(403);
    paulPage.close();
  });

  it('claims, records outcomes, brings “not answered” back after the delay and closes it as unreachable after the last attempt', async () => {
    const { key, company } = await callbackCompany(t, { retrySeconds: 1, maxAttempts: 2 });
    const anna = await cast.consultant(company, 'callback', 'Anna Caller');
    const ben = await cast.consultant(company, 'callback', 'Ben Caller');
    const { body } = await postCallback(t, key, { phone: '600 100 200', name: 'Jan' });
    const claimed = await anna.client.post(`/callback/requests/${body.id}/claim`, {}, { htmx: true });
    expect(claimed.status).toBe(200);
    expect(claimed.text).toContain('You are calling');
    await ben.page.waitFor(/Anna Caller is calling/);
    expect((await ben.client.post(`/callback/requests/${body.id}/claim`, {}, { htmx: true })).text).toContain('Anna Caller is already calling this number');
    // Only the claimer records the outcome.
    expect((await ben.client.post(`/callback/requests/${body.id}/outcome`, { outcome: 'done' }, { htmx: true })).status).toBe(409);
    expect((await anna.client.post(`/callback/requests/${body.id}/outcome`, { outcome: 'maybe' }, { htmx: true })).status).toBe(422);
    expect((await anna.client.post(`/callback/requests/${body.id}/outcome`, { outcome: 'not_answered' }, { htmx: true })).status).toBe(200);
    let [row] = await requestRows(t, company.id);
    expect(row).toMatchObject({ status: 'waiting', attempts: 1, consultant_id: null });
    expect(row.not_before).not.toBeNull();
    // Not claimable until it comes back; then it is, with its attempt count.
    await eventually(async () => expect((await requestRows(t, company.id))[0].not_before).toBeNull(), 5000);
    await ben.page.waitFor(/data-callback-chime="back:/);
    expect((await ben.client.post(`/callback/requests/${body.id}/claim`, {}, { htmx: true })).status).toBe(200);
    expect((await ben.client.post(`/callback/requests/${body.id}/outcome`, { outcome: 'not_answered' }, { htmx: true })).status).toBe(200);
    [row] = await requestRows(t, company.id);
    expect(row).toMatchObject({ status: 'unreachable', attempts: 2 });
    // Done with a note, wrong number, cancelled.
    for (const [i, outcome] of ['done', 'wrong_number', 'cancelled'].entries()) {
      const made = await postCallback(t, key, { phone: `600 100 30${i}` });
      expect(made.status).toBe(201);
      await anna.client.post(`/callback/requests/${made.body.id}/claim`, {}, { htmx: true });
      expect((await anna.client.post(`/callback/requests/${made.body.id}/outcome`, { outcome, note: 'Spoke to Jan' }, { htmx: true })).status).toBe(200);
      const again = (await requestRows(t, company.id)).find((r) => r.id === made.body.id)!;
      expect(again.status).toBe(outcome);
    }
  });

  it('returns a claim without an outcome to the queue after the time limit and when its consultant goes offline', async () => {
    const { key, company } = await callbackCompany(t, { claimSeconds: 10 });
    const anna = await cast.consultant(company, 'callback', 'Anna Lapse');
    const { body } = await postCallback(t, key, { phone: '600 100 200' });
    await anna.client.post(`/callback/requests/${body.id}/claim`, {}, { htmx: true });
    expect((await requestRows(t, company.id))[0].status).toBe('calling');
    await t.em().getConnection().execute(`update callback_request set claim_deadline = now() where company_id = ?`, [company.id]);
    await eventually(async () => expect((await requestRows(t, company.id))[0].status).toBe('waiting'));
    await anna.client.post(`/callback/requests/${body.id}/claim`, {}, { htmx: true });
    expect((await requestRows(t, company.id))[0].status).toBe('calling');
    const res = await anna.client.post('/presence/status', { status: 'offline' }, { htmx: true });
    expect(res.status).toBe(204);
    await eventually(async () => expect((await requestRows(t, company.id))[0]).toMatchObject({ status: 'waiting', consultant_id: null }));
  });

  it('turns the Livechat offline form into a callback request when a phone is given, and adds the tab to the widget', async () => {
    const { key, company } = await callbackCompany(t);
    const v = await cast.visitor(key);
    const widget = await request(t.url).get(`/livechat/${key}/widget`);
    expect(widget.text).toContain('data-lc-tab="callback"');
    const offline = await v.get('state');
    expect(offline.text).toContain('name="phone"');
    // A bad number: the form comes back with why, what was typed kept, and nothing stored. The form's own check
    // knows digits; Callback's knows which numbers exist in each country.
    const bad = await v.post('offline', { name: 'Olga', email: 'olga@example.org', body: 'Call me about the invoice', phone: '12' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('6 to 20 digits');
    expect(bad.text).toContain('Call me about the invoice');
    const unreal = await v.post('offline', { name: 'Olga', email: 'olga@example.org', body: 'Call me about the invoice', phone: '+48 000 000 000' });
    expect(unreal.status).toBe(422);
    expect(unreal.text).toContain('No phone number in its country looks like this');
    expect(unreal.text).toContain('value="+48 000 000 000"');
    expect(await requestRows(t, company.id)).toEqual([]);
    const good = await v.post('offline', { name: 'Olga', email: 'olga@example.org', body: 'Call me about the invoice', phone: '+44 20 7946 0018' });
    expect(good.status).toBe(200);
    // Made when the left message is announced (livechat.left-message).
    await eventually(async () => expect(await requestRows(t, company.id)).toMatchObject([{ phone: '+442079460018', source: 'livechat', status: 'waiting' }]));
    // Without a phone it is only a left message; with Callback off there is no tab, and a phone left is only a
    // left message the admin reads.
    expect((await v.post('offline', { email: 'x@example.org', body: 'Just a note' })).status).toBe(200);
    await settle();
    expect(await requestRows(t, company.id)).toHaveLength(1);
    await t.em().getConnection().execute(`update callback_settings set enabled = false where company_id = ?`, [company.id]);
    expect((await request(t.url).get(`/livechat/${key}/widget`)).text).not.toContain('data-lc-tab');
    expect((await v.post('offline', { email: 'x@example.org', body: 'Call me', phone: '+44 20 7946 0019' })).status).toBe(200);
    await settle();
    expect(await requestRows(t, company.id)).toHaveLength(1);
    expect((await v.get('callback')).status).toBe(404);
  });

  it('takes a request from the widget’s tab as HTML and shows it back with messages when refused', async () => {
    const { key, company } = await callbackCompany(t);
    const v = await cast.visitor(key);
    const form = await v.get('callback');
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="preferredTime"');
    const refused = await v.post('callback', { phone: '+48 000 000 000', topic: 'Returns', consent: 'on' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('No phone number in its country looks like this');
    expect(refused.text).toContain('value="Returns"');
    expect((await v.post('callback', { phone: '600 100 200' })).text).toContain('Tick this so we may call you back.');
    expect((await v.get(`callback?page=${encodeURIComponent(ORIGIN + '/')}`)).text).toContain(`name="page" value="${ORIGIN}/"`);
    expect((await v.get('callback?page=javascript:alert(1)')).text).toContain('name="page" value=""');
    const ok = await v.post('callback', { phone: '600 100 200', consent: 'on', preferredTime: 'asap', page: `${ORIGIN}/contact` });
    expect(ok.text).toContain('We will call you at +48600100200');
    const again = await v.post('callback', { phone: '+48600100200', consent: 'on' });
    expect(again.text).toContain('we noted that you asked again');
    expect(await requestRows(t, company.id)).toMatchObject([{ source: 'widget', asked_count: 2 }]);
    const [stored] = await t
      .em()
      .getConnection()
      .execute<{ source_page: string }[]>(`select source_page from callback_request where company_id = ?`, [company.id]);
    expect(stored.source_page).toBe(`${ORIGIN}/contact`);
    expect((await request(t.url).get(`/livechat/${key}/api/callback`).set('Origin', 'https://evil.example.net')).status).toBe(403);
  });

  it('lists the history with filters, the median to the first call and the share within the SLA, and exports CSV safe from formulas', async () => {
    const { key, company } = await callbackCompany(t);
    const anna = await cast.consultant(company, 'callback', 'Anna History');
    const a = await postCallback(t, key, { phone: '600 100 200', name: '=HYPERLINK("http://evil")', topic: '@SUM(1)' });
    await postCallback(t, key, { phone: '600 100 201', name: 'Late Larry' });
    await t
      .em()
      .getConnection()
      .execute(
        `update callback_request set created_at = now() - interval '1 hour', due_at = now() - interval '45 minutes' where company_id = ? and phone = '+48600100201'`,
        [company.id],
      );
    await anna.client.post(`/callback/requests/${a.body.id}/claim`, {}, { htmx: true });
    await anna.client.post(`/callback/requests/${a.body.id}/outcome`, { outcome: 'done', note: 'ok' }, { htmx: true });
    const page = await anna.client.load('/callback/history');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Late Larry');
    expect(page.text).toMatch(/First called within 15 min<\/dt><dd data-within>50%/);
    expect(page.text).toMatch(/data-median>0 min \d+ s/);
    const done = await anna.client.load('/callback/history?status=done');
    expect(done.text).not.toContain('Late Larry');
    const late = await anna.client.load('/callback/history?overdue=1');
    expect(late.text).toContain('Late Larry');
    expect(late.text).not.toContain('HYPERLINK');
    expect((await anna.client.load(`/callback/history?consultant=${anna.user.id}`)).text).not.toContain('Late Larry');
    expect((await anna.client.load('/callback/history?from=nonsense&status=<x>')).status).toBe(200);
    const csv = await anna.client.load('/callback/history/export.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csv.text).toContain(`"'@SUM(1)"`);
    expect(csv.text).toContain(`"'+48600100200"`);
    expect(csv.text).not.toMatch(/(^|,)"[=@+]/m);
  });
});

function nextHour(): string {
  const at = new Date(Date.now() + 2 * 3600_000);
  const text = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Warsaw',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return `${text.replace(' ', 'T')}:00`;
}
