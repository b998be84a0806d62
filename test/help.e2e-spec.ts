import { randomUUID } from 'node:crypto';
import type { Company } from '../src/accounts/company.entity';
import type { User } from '../src/accounts/user.entity';
import { HelpService } from '../src/help/help.service';
import { Page, send, settle } from './support/chat';
import { createCompany, createUser, unique } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

/** The Help chat: a user of a plan with Help writes to the operator's support team, who answer from outside the company. */
describe('Help chat', () => {
  let t: TestApp;
  let operator: Company;
  const pages: Page[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    operator = await createCompany(t.em(), { operator: true, plan: 'supreme' });
  });
  afterAll(async () => {
    pages.forEach((p) => p.close());
    await t.close();
  });

  async function agent(name = unique('Agent')): Promise<{ user: User; client: Client }> {
    const user = await createUser(t.em(), operator, { name });
    await t.em().getConnection().execute(`update app_user set support_agent = true where id = ?`, [user.id]);
    return { user, client: await signedIn(t.url, user.email) };
  }

  async function customer(plan: 'enterprise' | 'professional' | 'supreme' = 'enterprise') {
    const company = await createCompany(t.em(), { plan });
    const user = await createUser(t.em(), company, { name: unique('Customer') });
    return { company, user, client: await signedIn(t.url, user.email) };
  }

  async function openHelp(client: Client): Promise<number> {
    const res = await client.agent.get('/chat/help').set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-kind="help"');
    return Number(/data-conversation-id="(\d+)"/.exec(res.text)![1]);
  }

  async function setPlan(company: Company, plan: string): Promise<void> {
    await t.em().getConnection().execute(`update company set plan = ? where id = ?`, [plan, company.id]);
  }

  it('lets the operator’s administrator put a user on the support team, and no other company’s administrator', async () => {
    const admin = await createUser(t.em(), operator, { role: 'admin' });
    const sam = await createUser(t.em(), operator, { name: unique('Sam') });
    const o = await signedIn(t.url, admin.email);
    const form = await o.load(`/admin/users/${sam.id}`);
    expect(form.text).toContain('name="supportAgent"');
    expect((await o.post(`/admin/users/${sam.id}`, { name: sam.name, email: sam.email, role: 'user', supportAgent: 'on' })).status).toBe(303);
    const samClient = await signedIn(t.url, sam.email);
    expect((await samClient.agent.get('/support')).status).toBe(200);
    expect((await samClient.agent.get('/')).text).toContain('href="/support"');

    // Taken off the team, an open page stops hearing of Help conversations at once.
    const samPage = await Page.open(t.url, samClient);
    pages.push(samPage);
    await o.load(`/admin/users/${sam.id}`);
    expect((await o.post(`/admin/users/${sam.id}`, { name: sam.name, email: sam.email, role: 'user' })).status).toBe(303);
    expect((await samClient.agent.get('/support')).status).toBe(403);
    const c = await customer();
    await send(c.client, await openHelp(c.client), 'after Sam left the team');
    await settle();
    expect(samPage.received()).not.toContain('after Sam left the team');

    const otherAdmin = await createUser(t.em(), c.company, { role: 'admin' });
    const x = await signedIn(t.url, otherAdmin.email);
    expect((await x.load(`/admin/users/${c.user.id}`)).text).not.toContain('name="supportAgent"');
    await x.post(`/admin/users/${c.user.id}`, { name: c.user.name, email: c.user.email, role: 'user', supportAgent: 'on' });
    const [row] = await t.em().getConnection().execute(`select support_agent from app_user where id = ?`, [c.user.id]);
    expect(row.support_agent).toBe(false);
  });

  it('shows the Help entry in the panel of a plan with Help chat, and opens one conversation per user however often it is asked', async () => {
    const c = await customer();
    const panel = await c.client.agent.get('/');
    expect(panel.text).toContain('href="/chat/help"');
    const [first, second] = await Promise.all([openHelp(c.client), openHelp(c.client)]);
    expect(second).toBe(first);
    const rows = await t.em().getConnection().execute(`select count(*)::int as n from help_ticket where user_id = ?`, [c.user.id]);
    expect(rows[0].n).toBe(1);
  });

  it('brings a user’s question to every support agent live, and the answer back to the user’s page with the support badge', async () => {
    const c = await customer();
    const a = await agent('Anna Support');
    const helpId = await openHelp(c.client);
    const agentPage = await Page.open(t.url, a.client);
    const userPage = await Page.open(t.url, c.client, [helpId]);
    pages.push(agentPage, userPage);

    const asked = await send(c.client, helpId, 'How do I add a group?');
    expect(asked.res.status).toBe(201);
    await agentPage.waitFor(/help-tickets[\s\S]*How do I add a group\?/);
    const list = await a.client.agent.get('/support');
    expect(list.status).toBe(200);
    expect(list.text).toContain(c.user.name);
    expect(list.text).toContain('How do I add a group?');
    expect(list.text).toContain('class="waiting"');

    await a.client.load(`/support/help/${helpId}`);
    const answer = await a.client.post(`/support/help/${helpId}/messages`, { clientId: randomUUID(), body: 'Gear → New group.' }, { htmx: true });
    expect(answer.status).toBe(200);
    const pushed = await userPage.waitFor('Gear → New group.');
    expect(pushed).toContain('Anna Support');
    expect(pushed).toContain('support-badge');
    const window = await c.client.agent.get(`/chat/conversations/${helpId}`).set('HX-Request', 'true');
    expect(window.text).toContain('Gear → New group.');

    const [ticket] = await t.em().getConnection().execute(`select waiting_since, claimed_by_id from help_ticket where conversation_id = ?`, [helpId]);
    expect(ticket.waiting_since).toBeNull();
    expect(ticket.claimed_by_id).toBe(a.user.id);
  });

  it('lets exactly one of several agents claiming at once answer, and every agent sees who', async () => {
    const c = await customer();
    const helpId = await openHelp(c.client);
    await send(c.client, helpId, 'Anyone there?');
    const agents = await Promise.all([agent(), agent(), agent()]);
    const help = t.app.get(HelpService);
    const won = await Promise.all(agents.map((x) => help.claim(x.user, helpId)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = agents[won.indexOf(true)];
    for (const x of agents) expect((await x.client.agent.get(`/support/help/${helpId}`)).text).toContain(`${winner.user.name} is answering`);
    // A claim that has lapsed (its agent went quiet) is free again.
    await t.em().getConnection().execute(`update help_ticket set claimed_at = now() - interval '1 hour' where conversation_id = ?`, [helpId]);
    const other = agents.find((x) => x !== winner)!;
    expect(await help.claim(other.user, helpId)).toBe(true);
  });

  it('keeps a closed conversation in both histories and opens it again when the user writes', async () => {
    const c = await customer();
    const a = await agent();
    const helpId = await openHelp(c.client);
    await send(c.client, helpId, 'First question');
    await a.client.load(`/support/help/${helpId}`);
    expect((await a.client.post(`/support/help/${helpId}/close`, {}, { htmx: true })).status).toBe(200);
    expect((await a.client.agent.get('/support')).text).not.toContain(`/support/help/${helpId}"`);
    expect((await a.client.agent.get(`/support/help/${helpId}`)).text).toContain('First question');
    expect((await a.client.agent.get('/support/closed')).text).toContain(`/support/help/${helpId}"`);
    expect((await c.client.agent.get(`/chat/conversations/${helpId}`).set('HX-Request', 'true')).text).toContain('First question');
    await send(c.client, helpId, 'Second question');
    await settle();
    expect((await a.client.agent.get('/support')).text).toContain(`/support/help/${helpId}"`);
    expect((await a.client.agent.get('/support/closed')).text).not.toContain(`/support/help/${helpId}"`);
  });

  it('keeps the support pages from everyone but support agents of the operator, and agents from everything of a company but its Help', async () => {
    const c = await customer();
    const helpId = await openHelp(c.client);
    await send(c.client, helpId, 'private question');
    const plainOperatorUser = await signedIn(t.url, (await createUser(t.em(), operator)).email);
    // A user flagged as an agent in a company that is not the operator's is no agent.
    const fake = await customer();
    await t.em().getConnection().execute(`update app_user set support_agent = true where id = ?`, [fake.user.id]);
    for (const outsider of [plainOperatorUser, c.client, fake.client]) {
      expect((await outsider.agent.get('/support')).status).toBe(403);
      expect((await outsider.agent.get('/support/closed')).status).toBe(403);
      expect((await outsider.agent.get(`/support/help/${helpId}`)).status).toBe(403);
      await outsider.load('/');
      expect((await outsider.post(`/support/help/${helpId}/messages`, { clientId: randomUUID(), body: 'x' })).status).toBe(403);
    }
    const outsiderPage = await Page.open(t.url, fake.client);
    pages.push(outsiderPage);
    const a = await agent();
    // The agent reaches the Help conversation only through the support pages, never as a chat member.
    expect((await a.client.agent.get(`/chat/conversations/${helpId}`).set('HX-Request', 'true')).status).toBe(404);
    expect((await a.client.agent.get(`/chat/conversations/${helpId}/messages?before=999999`)).status).toBe(404);
    expect((await a.client.agent.get('/support/help/999999')).status).toBe(404);
    expect((await a.client.agent.get('/support/help/abc')).status).toBe(404);
    await send(c.client, helpId, 'second private question');
    await settle();
    expect(outsiderPage.received()).not.toContain('private question');
  });

  it('escapes what a user writes on the support pages and in their pushes', async () => {
    const c = await customer();
    const a = await agent();
    const agentPage = await Page.open(t.url, a.client);
    pages.push(agentPage);
    const helpId = await openHelp(c.client);
    await send(c.client, helpId, '<img src=x onerror=alert(1)>');
    const pushed = await agentPage.waitFor('onerror');
    expect(pushed).not.toContain('<img src=x');
    const list = await a.client.agent.get('/support');
    expect(list.text).not.toContain('<img src=x');
    expect(list.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('gives an agent’s empty answer back with its message and loses nothing', async () => {
    const c = await customer();
    const a = await agent();
    const helpId = await openHelp(c.client);
    await a.client.load(`/support/help/${helpId}`);
    const empty = await a.client.post(`/support/help/${helpId}/messages`, { clientId: randomUUID(), body: '   ' }, { htmx: true });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('role="alert"');
    const bad = await a.client.post(`/support/help/${helpId}/messages`, { clientId: 'not-a-uuid', body: 'kept text' }, { htmx: true });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('kept text');
    const clientId = randomUUID();
    await a.client.post(`/support/help/${helpId}/messages`, { clientId, body: 'once' }, { htmx: true });
    await a.client.post(`/support/help/${helpId}/messages`, { clientId, body: 'once' }, { htmx: true });
    const rows = await t.em().getConnection().execute(`select count(*)::int as n from message where conversation_id = ? and body = 'once'`, [helpId]);
    expect(rows[0].n).toBe(1);
  });

  it('has no Help in Professional, hides it on a downgrade and restores it with its messages on an upgrade', async () => {
    const pro = await customer('professional');
    expect((await pro.client.agent.get('/')).text).not.toContain('href="/chat/help"');
    expect((await pro.client.agent.get('/chat/help').set('HX-Request', 'true')).status).toBe(403);

    const c = await customer('enterprise');
    const a = await agent();
    const helpId = await openHelp(c.client);
    await send(c.client, helpId, 'kept through the downgrade');
    await setPlan(c.company, 'professional');
    expect((await c.client.agent.get('/')).text).not.toContain('href="/chat/help"');
    expect((await c.client.agent.get(`/chat/conversations/${helpId}`).set('HX-Request', 'true')).status).toBe(403);
    expect((await send(c.client, helpId, 'refused')).res.status).toBe(403);
    const page = await Page.open(t.url, c.client);
    pages.push(page);
    const ack = await new Promise<{ ok: boolean; status?: number }>((resolve) =>
      page.socket.emit('message:send', { conversationId: helpId, clientId: randomUUID(), body: 'over the socket' }, resolve),
    );
    expect(ack).toMatchObject({ ok: false, status: 403 });
    expect((await a.client.agent.get(`/support/help/${helpId}`)).status).toBe(404);
    expect((await a.client.agent.get('/support')).text).not.toContain(`/support/help/${helpId}"`);

    await setPlan(c.company, 'supreme');
    expect((await c.client.agent.get('/')).text).toContain('href="/chat/help"');
    const window = await c.client.agent.get(`/chat/conversations/${helpId}`).set('HX-Request', 'true');
    expect(window.status).toBe(200);
    expect(window.text).toContain('kept through the downgrade');
    expect((await a.client.agent.get(`/support/help/${helpId}`)).text).toContain('kept through the downgrade');
  });
});
