import { directConversation, Page, send, settle } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

describe('presence', () => {
  let t: TestApp;
  const pages: Page[] = [];
  const open = async (client: Client, conversations: number[] = []) => {
    const page = await Page.open(t.url, client, conversations);
    pages.push(page);
    return page;
  };
  const choose = (client: Client, status: string) => client.post('/presence/status', { status }, { htmx: true });
  const dot = (userId: number, shown: string) => new RegExp(`id="presence-${userId}" hx-swap-oob="true" class="presence-dot shown-${shown}"`);

  beforeAll(async () => {
    t = await startTestApp({ PRESENCE_GRACE_MS: '300' });
    await createCompany(t.em(), { operator: true });
  });
  afterEach(() => pages.splice(0).forEach((p) => p.close()));
  afterAll(() => t.close());

  async function team(options: { apiAddon?: boolean } = {}) {
    const company = await createCompany(t.em(), { apiAddon: options.apiAddon ?? true });
    const ann = await createUser(t.em(), company, { name: 'Ann Present' });
    const bob = await createUser(t.em(), company, { name: 'Bob Watching' });
    return { company, ann, bob, a: await signedIn(t.url, ann.email), b: await signedIn(t.url, bob.email) };
  }

  it('shows a user online while any of their pages is open, and offline a moment after the last one closes', async () => {
    const { ann, a, b } = await team();
    const watcher = await open(b);
    expect((await b.load('/')).text).toMatch(new RegExp(`id="presence-${ann.id}" class="presence-dot shown-offline"`));
    const tab1 = await open(a);
    await watcher.waitFor(dot(ann.id, 'available'));
    const tab2 = await open(a);
    tab1.close();
    await settle(600);
    expect(watcher.received()).not.toMatch(dot(ann.id, 'offline'));
    tab2.close();
    await watcher.waitFor(dot(ann.id, 'offline'));
    expect((await b.load('/')).text).toMatch(new RegExp(`id="presence-${ann.id}" class="presence-dot shown-offline"`));
  });

  it('does not flicker on a reload: closing and reopening within the grace period sends no offline', async () => {
    const { ann, a, b } = await team();
    const watcher = await open(b);
    const first = await open(a);
    await watcher.waitFor(dot(ann.id, 'available'));
    first.close();
    await open(a);
    await settle(700);
    expect(watcher.received()).not.toMatch(dot(ann.id, 'offline'));
  });

  it('shows an invisible user as offline to others, while they chat normally', async () => {
    const { ann, bob, a, b } = await team();
    const watcher = await open(b);
    await open(a);
    await watcher.waitFor(dot(ann.id, 'available'));
    expect((await choose(a, 'invisible')).status).toBe(204);
    await watcher.waitFor(dot(ann.id, 'offline'));
    const conversationId = await directConversation(a, bob.id);
    expect((await send(a, conversationId, 'from the shadows')).res.status).toBe(201);
  });

  it('shows Busy as yellow and still notifies the busy user', async () => {
    const { ann, bob, a, b } = await team();
    const annPage = await open(a);
    const watcher = await open(b);
    await choose(a, 'busy');
    await watcher.waitFor(dot(ann.id, 'busy'));
    await send(b, await directConversation(b, ann.id), 'are you there?');
    await annPage.waitFor(new RegExp(`id="unread-u${bob.id}"[^>]*><span aria-hidden="true">1<`));
    expect(annPage.notified).toHaveLength(1);
  });

  it('turns the chat off for a user who chooses Offline, and brings everything up to date when they come back', async () => {
    const { ann, bob, a, b } = await team();
    const conversationId = await directConversation(b, ann.id);
    const annPage = await open(a, [conversationId]);
    await choose(a, 'offline');
    await settle(200);
    annPage.html.length = 0;
    await send(b, conversationId, 'while you were offline');
    await send(b, conversationId, 'and again');
    await settle();
    expect(annPage.received()).not.toContain('while you were offline');
    expect(annPage.received()).not.toContain('unread-');
    expect(annPage.notified).toEqual([]);
    const panel = await a.agent.get('/chat/panel').set('HX-Request', 'true');
    expect(panel.text).toContain('panel-offline');
    expect(panel.text).not.toContain(`entry-u${bob.id}`);
    expect((await send(a, conversationId, 'I should not be able to')).res.status).toBe(409);

    expect((await choose(a, 'available')).status).toBe(204);
    await settle(200);
    expect(annPage.refreshed).toContainEqual({ panel: true, resync: true });
    const back = await a.agent.get('/chat/panel').set('HX-Request', 'true');
    expect(back.text).toMatch(/id="unread-total"[^>]*><span aria-hidden="true">2</);
    const changes = await a.agent.get(`/chat/conversations/${conversationId}/changes?since=0`).set('HX-Request', 'true');
    expect(changes.text).toContain('while you were offline');
  });

  it('offers the consultant statuses only to configured users of a company with the API add-on, and refuses them otherwise', async () => {
    const withAddon = await team();
    expect((await choose(withAddon.a, 'livechat')).status).toBe(422);
    expect((await choose(withAddon.a, 'no-such-status')).status).toBe(422);
    const page = await withAddon.a.load('/');
    expect(page.text).not.toContain('value="livechat"');

    const company = await createCompany(t.em(), { apiAddon: true });
    const consultant = await createUser(t.em(), company);
    consultant.livechatConfigured = true;
    consultant.callbackConfigured = true;
    await t.em().upsert(consultant);
    const c = await signedIn(t.url, consultant.email);
    for (const status of ['livechat', 'callback', 'livechat-callback']) expect((await choose(c, status)).status).toBe(204);
    expect((await c.load('/')).text).toContain('value="livechat-callback"');

    const noAddon = await createCompany(t.em(), { apiAddon: false });
    const configured = await createUser(t.em(), noAddon);
    configured.livechatConfigured = true;
    await t.em().upsert(configured);
    const n = await signedIn(t.url, configured.email);
    // Outside the plan is a 403 that says which plans have it; a user who is not configured gets the 422 above.
    expect((await choose(n, 'livechat')).status).toBe(403);
    const plain = await n.post('/presence/status', { status: 'livechat', returnTo: '/' });
    expect(plain.status).toBe(403);
    expect(plain.text).toContain('API add-on');
  });

  it('sends another company’s pages nothing about this company’s presence', async () => {
    const { ann, a } = await team();
    const elsewhere = await createCompany(t.em());
    const stranger = await signedIn(t.url, (await createUser(t.em(), elsewhere)).email);
    const strangerPage = await open(stranger);
    await open(a);
    await choose(a, 'busy');
    await settle();
    expect(strangerPage.received()).not.toContain(`presence-${ann.id}"`);
  });

  it('tells when a colleague was last seen', async () => {
    const { ann, a, b } = await team();
    const tab = await open(a);
    tab.close();
    await settle(200);
    const details = await b.agent.get(`/chat/users/${ann.id}/details`).set('HX-Request', 'true');
    expect(details.text).toContain('class="last-seen"');
    expect(details.text).toMatch(/<time datetime="\d{4}-\d\d-\d\dT/);
  });
});
