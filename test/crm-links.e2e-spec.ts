import { directConversation, createGroup, Page, send, settle } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

describe('links to CRM objects in messages', () => {
  let t: TestApp;
  const pages: Page[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    pages.forEach((p) => p.close());
    await t.close();
  });

  it('shows the object’s kind, name and status, updates them live where shown, and tells other companies nothing', async () => {
    const company = await createCompany(t.em());
    const [ann, bob, cid] = [await createUser(t.em(), company), await createUser(t.em(), company), await createUser(t.em(), company)];
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    const c = await signedIn(t.url, cid.email);
    await a.load('/crm/tasks/new');
    const created = await a.post('/crm/tasks', { name: 'Telefon', status: 'in_progress' });
    const taskId = Number(/(\d+)$/.exec(created.headers.location)![1]);
    const url = `${t.url}/crm/tasks/${taskId}`;

    const direct = await directConversation(a, bob.id);
    const group = await createGroup(a, 'Sales', [bob.id, cid.id]);
    const quiet = await directConversation(a, cid.id);
    const sent = await send(a, direct, `Please see ${url}`);
    expect(sent.res.text).toContain(`class="object-link object-tasks-${taskId}"`);
    expect(sent.res.text).toMatch(/Task<\/span> “Telefon” — <span class="object-status">in progress</);
    await send(a, group, `Also here: ${url}`);
    await send(a, quiet, 'nothing linked here');

    const bobPage = await Page.open(t.url, b, [direct, group]);
    const cidQuiet = await Page.open(t.url, c, [quiet]);
    const elsewhere = await createCompany(t.em());
    const mallory = await createUser(t.em(), elsewhere);
    const eve = await createUser(t.em(), elsewhere);
    const m = await signedIn(t.url, mallory.email);
    const foreign = await directConversation(m, eve.id);
    const foreignSent = await send(m, foreign, `guessing ${url}`);
    expect(foreignSent.res.text).not.toContain('Telefon');
    expect(foreignSent.res.text).toContain(`<a href="${url}" rel="noopener noreferrer nofollow" target="_blank">`);
    const malloryPage = await Page.open(t.url, m, [foreign]);
    pages.push(bobPage, cidQuiet, malloryPage);

    await a.load(`/crm/tasks/${taskId}/edit`);
    expect((await a.post(`/crm/tasks/${taskId}`, { name: 'Telefon do klienta', status: 'done' })).status).toBe(303);
    const pushed = await bobPage.waitFor(`hx-swap-oob="outerHTML:.object-tasks-${taskId}"`);
    expect(pushed).toContain('“Telefon do klienta” — <span class="object-status">done<');
    await settle();
    expect(bobPage.html.filter((h) => h.includes(`object-tasks-${taskId}`))).toHaveLength(1);
    expect(cidQuiet.received()).not.toContain('Telefon');
    expect(malloryPage.received()).not.toContain('Telefon');

    const window = await b.agent.get(`/chat/conversations/${group}`).set('HX-Request', 'true');
    expect(window.text).toContain('“Telefon do klienta” — <span class="object-status">done<');
  });
});

describe('notifications in the panel', () => {
  let t: TestApp;
  const pages: Page[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    pages.forEach((p) => p.close());
    await t.close();
  });

  it('tells a user live when a task is assigned to them and when they are added to a group, and nobody else', async () => {
    const company = await createCompany(t.em());
    const [ann, bob, cid] = [await createUser(t.em(), company, { name: 'Ann Boss' }), await createUser(t.em(), company), await createUser(t.em(), company)];
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    const c = await signedIn(t.url, cid.email);
    const bobPage = await Page.open(t.url, b);
    const cidPage = await Page.open(t.url, c);
    pages.push(bobPage, cidPage);

    await a.load('/crm/tasks/new');
    await a.post('/crm/tasks', { name: 'Call Acme', status: 'new', assignee: String(bob.id) });
    const pushed = await bobPage.waitFor('Ann Boss assigned you the task Call Acme');
    expect(pushed).toContain('hx-target="#notification-list"');
    expect(pushed).toMatch(/id="unread-notifications" hx-swap-oob="true" class="badge"><span aria-hidden="true">1</);

    await createGroup(a, 'Launch', [bob.id]);
    await bobPage.waitFor('Ann Boss added you to the group Launch');
    await settle();
    expect(cidPage.received()).not.toContain('Call Acme');
    expect(cidPage.received()).not.toContain('Launch');

    const panel = await b.agent.get('/chat/panel').set('HX-Request', 'true');
    expect(panel.text).toContain('Ann Boss assigned you the task Call Acme');
    expect(panel.text).toMatch(/id="unread-notifications" class="badge"><span aria-hidden="true">2</);
    expect((await b.post('/notifications/read', {}, { htmx: true })).status).toBe(200);
    expect((await b.agent.get('/chat/panel').set('HX-Request', 'true')).text).toMatch(/id="unread-notifications" class="badge empty">/);
    expect((await c.agent.get('/chat/panel').set('HX-Request', 'true')).text).not.toContain('Call Acme');
  });
});
