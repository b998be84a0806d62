import { createHmac } from 'node:crypto';
import request from 'supertest';
import { createGroup, send, settle } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { generateToken } from './support/integrations';
import { Received, Receiver } from './support/webhook-receiver';

function verified(call: Received, secret: string): boolean {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(call.headers['gwar-signature'])) ?? [];
  return !!t && createHmac('sha256', secret).update(`${t}.${call.body}`).digest('hex') === v1;
}

describe('outgoing webhooks', () => {
  let t: TestApp;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    t = await startTestApp({ WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: 'true' }, { countQueries: true });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    receivers.forEach((r) => r.close());
    await t.close();
  });

  async function scene() {
    const receiver = await new Receiver().start();
    receivers.push(receiver);
    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin', name: 'Ada Admin' });
    const member = await createUser(t.em(), company);
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Orders', [member.id]);
    const token = await generateToken(ad, groupId);
    const saved = await ad.post(`/chat/groups/${groupId}/webhook`, { url: receiver.url }, { htmx: true });
    expect(saved.status).toBe(200);
    const secret = /id="webhook-secret-\d+"[^>]*value="(whsec_[^"]+)"/.exec(saved.text)![1];
    return { receiver, company, admin, member, ad, groupId, token, secret };
  }

  it('calls the webhook for each new message and reply, signed, in order, and never for the integration’s own posts', async () => {
    const s = await scene();
    const started = Date.now();
    const first = await send(s.ad, s.groupId, 'first');
    await send(s.ad, s.groupId, 'a reply', undefined, { replyTo: String(first.id) });
    await request(t.url).post('/api/v1/messages').set('Authorization', `Bearer ${s.token}`).send({ text: 'from the integration itself' });
    for (let i = 0; i < 5; i++) await send(s.ad, s.groupId, `burst ${i}`);
    const calls = await s.receiver.waitFor(7);
    console.log(`webhook: first call ${calls[0].at - started} ms after the send`);
    await settle(500);
    expect(s.receiver.calls.map((c) => c.json.message.text)).toEqual(['first', 'a reply', 'burst 0', 'burst 1', 'burst 2', 'burst 3', 'burst 4']);
    for (const call of calls) expect(verified(call, s.secret)).toBe(true);
    expect(verified(calls[0], 'whsec_wrong')).toBe(false);
    expect(calls[1].json.message.replyToId).toBe(first.id);
    expect(calls[0].json).toMatchObject({ event: 'message.created', message: { groupId: s.groupId, author: { type: 'user', name: 'Ada Admin' } } });
    expect(calls[0].headers['gwar-event']).toBe('message.created');
  });

  it('measures the delay from a send to its webhook call (printed; the figure, not a test of speed)', async () => {
    const s = await scene();
    const sentAt = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      sentAt.set(`timed ${i}`, Date.now());
      await send(s.ad, s.groupId, `timed ${i}`);
      await settle(20);
    }
    const calls = await s.receiver.waitFor(30);
    const delays = calls.map((c) => c.at - sentAt.get(c.json.message.text)!).sort((a, b) => a - b);
    console.log(`webhook delivery from the send (30 messages, one at a time, within the sender's limit): p50 ${delays[14]} ms, max ${delays[29]} ms`);
    expect(calls.map((c) => c.json.message.text)).toEqual([...sentAt.keys()]);
  });

  it('retries a failed call with a growing pause, holding back the later ones so that the order holds', async () => {
    const s = await scene();
    let failures = 2;
    s.receiver.answer = () => (failures-- > 0 ? 500 : 200);
    const before = t.queries.length;
    const leasesSince = () => t.queries.slice(before).filter((q) => q.includes('set leased_until = now()')).length;
    await send(s.ad, s.groupId, 'one');
    await send(s.ad, s.groupId, 'two');
    const calls = await s.receiver.waitFor(4);
    const leases = leasesSince();
    expect(calls.map((c) => c.json.message.text)).toEqual(['one', 'one', 'one', 'two']);
    // While 'one' waited for its retry, 'two' (due) did not set the worker spinning on the webhook.
    expect(leases).toBeLessThan(20);
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(calls[1].at - calls[0].at - 300);
    const log = await s.ad.agent.get(`/chat/groups/${s.groupId}/webhook`).set('HX-Request', 'true');
    expect(log.text).toContain('Delivered');
    expect(log.text).toMatch(/<td>3<\/td>/);
  });

  it('turns a webhook off after 20 failed calls in a row, and on again when it is saved', async () => {
    const s = await scene();
    await t.em().getConnection().execute(`update webhook set failures_in_a_row = 19 where conversation_id = ?`, [s.groupId]);
    s.receiver.answer = () => 503;
    await send(s.ad, s.groupId, 'the last straw');
    await s.receiver.waitFor(1);
    await settle(300);
    const log = await s.ad.agent.get(`/chat/groups/${s.groupId}/webhook`).set('HX-Request', 'true');
    expect(log.text).toContain('turned off after 20 failed calls');
    s.receiver.answer = () => 200;
    await send(s.ad, s.groupId, 'while off');
    await settle(1500);
    expect(s.receiver.calls).toHaveLength(1);
    // Saved again: on, and what waited goes out in order.
    await s.ad.post(`/chat/groups/${s.groupId}/webhook`, { url: s.receiver.url }, { htmx: true });
    const calls = await s.receiver.waitFor(2);
    expect(calls[1].json.message.text).toBe('the last straw');
  });

  it('shows the log only to the group’s administrators and directors, and refuses an address that is not http(s)', async () => {
    const s = await scene();
    const m = await signedIn(t.url, s.member.email);
    expect((await m.agent.get(`/chat/groups/${s.groupId}/webhook`).set('HX-Request', 'true')).status).toBe(403);
    await m.load('/');
    expect((await m.post(`/chat/groups/${s.groupId}/webhook`, { url: 'https://evil.example/' }, { htmx: true })).status).toBe(403);
    const other = await createCompany(t.em(), { apiAddon: true });
    const stranger: Client = await signedIn(t.url, (await createUser(t.em(), other, { role: 'admin' })).email);
    expect((await stranger.agent.get(`/chat/groups/${s.groupId}/webhook`).set('HX-Request', 'true')).status).toBe(404);
    for (const url of ['ftp://example.com/', 'https://user:pw@example.com/', 'not a url']) {
      const res = await s.ad.post(`/chat/groups/${s.groupId}/webhook`, { url }, { htmx: true });
      expect(res.status).toBe(422);
      expect(res.text).toContain('aria-invalid="true"');
    }
  });
});

describe('outgoing webhooks on a default server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  it('do not call private or loopback addresses (SSRF), and say why in the log', async () => {
    const receiver = await new Receiver().start();
    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Internal', []);
    await ad.load(`/chat/groups/${groupId}/api-token`);
    await ad.post(`/chat/groups/${groupId}/api-token`, { origins: '' });
    await ad.post(`/chat/groups/${groupId}/webhook`, { url: receiver.url }, { htmx: true });
    await send(ad, groupId, 'must not leave');
    await settle(2500);
    receiver.close();
    expect(receiver.calls).toEqual([]);
    const log = await ad.agent.get(`/chat/groups/${groupId}/webhook`).set('HX-Request', 'true');
    expect(log.text).toContain('private address');
  });
});
