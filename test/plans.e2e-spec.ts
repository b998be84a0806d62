import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Company } from '../src/accounts/company.entity';
import { has, Plan, PLANS } from '../src/accounts/plans';
import { User } from '../src/accounts/user.entity';
import { Message } from '../src/chat/message.entity';
import { createGroup, directConversation, Page, send, settle } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { generateToken } from './support/integrations';

describe('what each plan allows, and a plan change on open pages', () => {
  let t: TestApp;
  let operator: Client;
  const pages: Page[] = [];
  const open = async (client: Client, conversations: number[] = []) => {
    const page = await Page.open(t.url, client, conversations);
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    t = await startTestApp({ FILES_DIR: await mkdtemp(join(tmpdir(), 'gwar-plans-')) });
    const ops = await createCompany(t.em(), { operator: true });
    operator = await signedIn(t.url, (await createUser(t.em(), ops, { role: 'admin' })).email);
  });
  afterEach(() => pages.splice(0).forEach((p) => p.close()));
  afterAll(() => t.close());

  const htmx = (client: Client, path: string) => client.agent.get(path).set('HX-Request', 'true');
  const upload = (client: Client, conversationId: number) =>
    client.agent
      .post(`/chat/conversations/${conversationId}/attachments`)
      .set('X-CSRF-Token', client.csrf)
      .set('HX-Request', 'true')
      .field('clientId', randomUUID())
      .attach('file', Buffer.from('plain text'), 'note.txt');
  const apiPost = (token: string) => request(t.url).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send({ text: 'from the shop' });
  const socketSend = (page: Page, conversationId: number, body: string) =>
    page.socket.emitWithAck('message:send', { conversationId, clientId: randomUUID(), body });
  const setPlan = (company: Company, plan: Plan, apiAddon: boolean) =>
    operator.post(`/operator/companies/${company.id}`, { companyName: company.name, plan, apiAddon: apiAddon ? 'on' : '' });

  /** A company with everything (a group, a message, an API token, a Livechat consultant), then moved to the plan. */
  async function companyOn(plan: Plan, apiAddon: boolean) {
    const company = await createCompany(t.em(), { plan: 'supreme', apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const bob = await createUser(t.em(), company, { name: `Bob ${randomUUID().slice(0, 6)}` });
    await t.em().nativeUpdate(User, { id: bob.id }, { livechatConfigured: true }, { filters: false });
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Orders', [bob.id]);
    const { id: messageId } = await send(ad, groupId, 'said before the plan change');
    const token = await generateToken(ad, groupId);
    await t.em().nativeUpdate(Company, { id: company.id }, { plan, apiAddon });
    return { company, admin, bob, ad, b: await signedIn(t.url, bob.email), groupId, messageId: messageId!, token };
  }

  describe.each(PLANS.flatMap((plan) => [false, true].map((apiAddon) => [plan, apiAddon] as const)))('on %s, with the API add-on: %s', (plan, apiAddon) => {
    const can = (feature: Parameters<typeof has>[1]) => has({ plan, apiAddon }, feature);

    it('allows the chat, its socket and its panel only with the chat in the plan', async () => {
      const s = await companyOn(plan, apiAddon);
      const window = await htmx(s.ad, `/chat/conversations/${s.groupId}`);
      expect(window.status).toBe(can('chat') ? 200 : 403);
      const panel = await htmx(s.ad, '/chat/panel');
      expect(panel.text.includes(s.bob.name)).toBe(can('chat'));
      expect(panel.text.includes('Chat is available in the Professional, Enterprise and Supreme plans')).toBe(!can('chat'));
      const sent = await socketSend(await open(s.ad, [s.groupId]), s.groupId, 'over the socket');
      expect(sent).toEqual(can('chat') ? expect.objectContaining({ ok: true }) : { ok: false, status: 403, error: expect.stringContaining('Professional') });
      if (!can('chat')) expect((await s.ad.agent.get(`/chat/conversations/${s.groupId}`)).text).toContain('Chat is available in the');
    });

    it('allows files, CRM records from messages and the API token only where the plan has them, and shows only those', async () => {
      const s = await companyOn(plan, apiAddon);
      const uploaded = await upload(s.ad, s.groupId);
      expect(uploaded.status).toBe(can('files') ? 201 : 403);
      if (can('chat')) {
        const window = (await htmx(s.ad, `/chat/conversations/${s.groupId}`)).text;
        expect(window.includes('attach-button')).toBe(can('files'));
        expect(window.includes(`/chat/groups/${s.groupId}/api-token`)).toBe(can('groupTokens'));
      } else if (!can('files')) {
        expect(uploaded.text).toContain('Professional');
      }
      expect((await s.ad.agent.get(`/crm/tasks/new?fromMessage=${s.messageId}`)).status).toBe(can('crmLinks') ? 200 : 403);
      expect((await s.ad.load('/')).text.includes('data-crm-links')).toBe(can('crmLinks'));

      const posted = await apiPost(s.token);
      expect(posted.status).toBe(can('groupTokens') ? 201 : 403);
      if (!can('groupTokens')) {
        expect(posted.headers['content-type']).toContain('application/problem+json');
        expect(posted.body).toMatchObject({ status: 403, detail: expect.stringContaining('API add-on') });
      }
      await s.ad.load(`/chat/groups/${s.groupId}/api-token`);
      expect((await s.ad.post(`/chat/groups/${s.groupId}/api-token`, { origins: '' })).status).toBe(can('groupTokens') ? 201 : 403);
    });

    it('offers and accepts the consultant statuses, and their flags on the user form, only with the add-on in the plan', async () => {
      const s = await companyOn(plan, apiAddon);
      expect((await s.b.load('/')).text.includes('value="livechat"')).toBe(can('consultantStatuses'));
      expect((await s.b.post('/presence/status', { status: 'livechat' }, { htmx: true })).status).toBe(can('consultantStatuses') ? 204 : 403);
      expect((await s.b.post('/presence/status', { status: 'busy' }, { htmx: true })).status).toBe(204);
      expect((await s.ad.load(`/admin/users/${s.bob.id}`)).text.includes('name="livechatConfigured"')).toBe(can('livechat'));
    });
  });

  it('keeps a consultant’s Livechat flag through an edit of the user while the plan has no Livechat', async () => {
    const s = await companyOn('professional', false);
    await s.ad.load(`/admin/users/${s.bob.id}`);
    const res = await s.ad.post(`/admin/users/${s.bob.id}`, { name: 'Bob Renamed', email: s.bob.email, role: 'user' });
    expect(res.status).toBe(303);
    expect(await t.em().findOneOrFail(User, s.bob.id, { filters: false })).toMatchObject({ name: 'Bob Renamed', livechatConfigured: true });
  });

  it('takes the chat away from open pages when the operator downgrades, and gives everything back on an upgrade', async () => {
    const company = await createCompany(t.em(), { plan: 'professional', apiAddon: true });
    const [ann, bob] = [await createUser(t.em(), company, { name: 'Ann Downgraded' }), await createUser(t.em(), company, { name: 'Bob Downgraded' })];
    const a = await signedIn(t.url, ann.email);
    const conversationId = await directConversation(a, bob.id);
    await send(a, conversationId, 'kept through the downgrade');
    await a.post('/chat/settings', { openWindows: JSON.stringify([{ conversationId, maximized: true }]), quiet: 'true' }, { htmx: true });
    const annPage = await open(a, [conversationId]);
    const elsewhere = await open(await signedIn(t.url, (await createUser(t.em(), await createCompany(t.em()))).email));

    expect((await setPlan(company, 'start', false)).status).toBe(303);
    await waitUntil(() => annPage.refreshed.length === 1);
    expect(annPage.refreshed).toEqual([{ panel: true, resync: true }]);
    expect(await socketSend(annPage, conversationId, 'after the downgrade')).toEqual({
      ok: false,
      status: 403,
      error: expect.stringContaining('Professional'),
    });
    expect(await annPage.socket.emitWithAck('sync', [conversationId])).toEqual([]);
    expect(await annPage.join(conversationId)).toBe(false);
    const panel = await htmx(a, '/chat/panel');
    expect(panel.text).toContain('Chat is available in the');
    expect(panel.text).not.toContain('Bob Downgraded');
    expect((await htmx(a, `/chat/conversations/${conversationId}`)).status).toBe(403);
    // What a page does when its chats close: the list of open windows stays for the upgrade.
    await a.post('/chat/settings', { openWindows: '[]', quiet: 'true' }, { htmx: true });
    // Nor can anyone else of the company send into it.
    const b = await signedIn(t.url, bob.email);
    expect((await send(b, conversationId, 'while on Start')).res.status).toBe(403);

    expect((await setPlan(company, 'professional', false)).status).toBe(303);
    await waitUntil(() => annPage.refreshed.length === 2);
    expect((await htmx(a, '/chat/panel')).text).toContain('Bob Downgraded');
    expect(await annPage.join(conversationId)).toBe(true);
    expect(await socketSend(annPage, conversationId, 'after the upgrade')).toEqual(expect.objectContaining({ ok: true }));
    const window = await htmx(a, `/chat/conversations/${conversationId}`);
    expect(window.text).toContain('kept through the downgrade');
    expect(window.text).toContain('after the upgrade');
    expect((await a.load('/')).text).toContain(`id="win-${conversationId}"`);
    const stored = await t.em().find(Message, { conversation: conversationId }, { filters: false });
    expect(stored.map((m) => m.body).sort()).toEqual(['after the upgrade', 'kept through the downgrade']);
    await settle();
    expect(elsewhere.refreshed).toEqual([]);
  });

  it('takes the add-on’s features away live and brings them back, the group’s token with them', async () => {
    const s = await companyOn('enterprise', true);
    const bobPage = await open(s.b);
    expect((await setPlan(s.company, 'enterprise', false)).status).toBe(303);
    await waitUntil(() => bobPage.refreshed.length === 1);
    expect((await apiPost(s.token)).status).toBe(403);
    expect((await htmx(s.b, '/chat/panel')).text).not.toContain('value="livechat"');
    expect((await s.b.post('/presence/status', { status: 'livechat' }, { htmx: true })).status).toBe(403);
    // The chat itself stays: the plan still has it.
    expect(await socketSend(bobPage, s.groupId, 'still chatting')).toEqual(expect.objectContaining({ ok: true }));

    expect((await setPlan(s.company, 'enterprise', true)).status).toBe(303);
    await waitUntil(() => bobPage.refreshed.length === 2);
    expect((await apiPost(s.token)).status).toBe(201);
    expect((await htmx(s.b, '/chat/panel')).text).toContain('value="livechat"');
  });

  it('starts new companies on the default plan and shows plan names from the table', async () => {
    const form = await operator.load('/operator/companies/new');
    expect(form.text).toMatch(/<option value="professional" selected>Professional<\/option>/);
    expect(form.text).toContain('<option value="supreme">Supreme</option>');
    const list = await operator.load('/operator/companies');
    expect(list.text).toContain('<td>Enterprise</td>');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
