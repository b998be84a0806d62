import { ChatSettings } from '../../src/chat/chat-settings.entity';
import { Conversation } from '../../src/chat/conversation.entity';
import { createGroup, directConversation, send, settle } from '../support/chat';
import { createCompany, createUser, insertMessages, unique } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('groups and the panel', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { countQueries: true });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  it('lets any user create a group, which appears in every member’s panel, not in others’', async () => {
    const company = await createCompany(t.em());
    const [ann, bob, eve] = [await createUser(t.em(), company), await createUser(t.em(), company), await createUser(t.em(), company)];
    const a = await signedIn(t.url, ann.email);
    const name = unique('Marketing');
    await createGroup(a, name, [bob.id]);
    expect((await (await signedIn(t.url, bob.email)).load('/')).text).toContain(name);
    expect((await (await signedIn(t.url, eve.email)).load('/')).text).not.toContain(name);
  });

  it('returns the group form with a message and the typed values when the name is missing', async () => {
    const company = await createCompany(t.em());
    const [ann, bob] = [await createUser(t.em(), company), await createUser(t.em(), company)];
    const a = await signedIn(t.url, ann.email);
    await a.load('/chat/groups/new');
    const res = await a.agent.post('/chat/groups').set('HX-Request', 'true').type('form').send(`_csrf=${a.csrf}&name=&members=${bob.id}`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('This field is required.');
    expect(res.text).toMatch(new RegExp(`value="${bob.id}" checked`));
    const tooLong = await a.agent
      .post('/chat/groups')
      .set('HX-Request', 'true')
      .type('form')
      .send(`_csrf=${a.csrf}&name=${'g'.repeat(101)}`);
    expect(tooLong.status).toBe(422);
    expect(tooLong.text).toContain(`value="${'g'.repeat(101)}"`);
  });

  it('ignores members from another company when a group is made', async () => {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company);
    const stranger = await createUser(t.em(), await createCompany(t.em()));
    const groupId = await createGroup(await signedIn(t.url, ann.email), unique('Closed'), [stranger.id]);
    const s = await signedIn(t.url, stranger.email);
    expect((await s.agent.get(`/chat/conversations/${groupId}`)).status).toBe(404);
  });

  it('follows the seed’s rule for the group gear', async () => {
    const company = await createCompany(t.em());
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const director = await createUser(t.em(), company, { role: 'director' });
    const [u1, u2] = [await createUser(t.em(), company), await createUser(t.em(), company)];
    const p1 = await signedIn(t.url, u1.email);
    const managed = await createGroup(p1, 'Managed', [u2.id, director.id]);
    const plain = await createGroup(p1, 'Plain', [u2.id]);

    // A plain member of a group with a director gets none of the group's actions (the gear holds only their own mute):
    // cannot leave, edit or delete.
    const managedWindow = await p1.agent.get(`/chat/conversations/${managed}`).set('HX-Request', 'true');
    expect(managedWindow.text).toContain('Mute notifications');
    for (const action of ['Leave group', 'Edit group', 'Delete group']) expect(managedWindow.text).not.toContain(action);
    expect((await p1.agent.delete(`/chat/groups/${managed}/membership`).set('X-CSRF-Token', p1.csrf)).status).toBe(403);
    expect((await p1.agent.get(`/chat/groups/${managed}/edit`)).status).toBe(403);
    expect((await p1.agent.delete(`/chat/groups/${managed}`).set('X-CSRF-Token', p1.csrf)).status).toBe(403);

    // In a group with no administrator or director, members get "Leave group" only.
    const plainWindow = await p1.agent.get(`/chat/conversations/${plain}`).set('HX-Request', 'true');
    expect(plainWindow.text).toContain('Leave group');
    expect(plainWindow.text).not.toContain('Edit group');
    expect((await p1.agent.delete(`/chat/groups/${plain}/membership`).set('X-CSRF-Token', p1.csrf)).status).toBe(303);
    expect((await p1.agent.get(`/chat/conversations/${plain}`)).status).toBe(404);

    // A director member gets everything: edit (adding the admin), then the admin deletes it.
    const d = await signedIn(t.url, director.email);
    const directorWindow = await d.agent.get(`/chat/conversations/${managed}`).set('HX-Request', 'true');
    for (const action of ['Leave group', 'Edit group', 'Delete group']) expect(directorWindow.text).toContain(action);
    await d.load(`/chat/groups/${managed}/edit`);
    const edited = await d.agent.post(`/chat/groups/${managed}`).type('form').send(`_csrf=${d.csrf}&name=Renamed&members=${u1.id}&members=${admin.id}`);
    expect(edited.status).toBe(303);
    expect((await t.em().findOneOrFail(Conversation, managed, { filters: false })).name).toBe('Renamed');
    expect((await (await signedIn(t.url, u2.email)).agent.get(`/chat/conversations/${managed}`)).status).toBe(404);
    const ad = await signedIn(t.url, admin.email);
    expect((await ad.agent.delete(`/chat/groups/${managed}`).set('X-CSRF-Token', ad.csrf)).status).toBe(303);
    expect(await t.em().count(Conversation, { id: managed }, { filters: false })).toBe(0);
  });

  it('keeps every panel setting per user on the server', async () => {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company);
    const a = await signedIn(t.url, ann.email);
    for (const [name, value] of [
      ['collapsed', 'true'],
      ['listView', 'avatar'],
      ['openIn', 'main'],
      ['sortBy', 'activity'],
      ['splitTabs', 'true'],
      ['sound', 'false'],
      ['windowWidth', '333'],
      ['windowHeight', '444'],
    ]) {
      expect((await a.post('/chat/settings', { [name]: value, returnTo: '/' })).status).toBe(303);
    }
    await a.post('/chat/settings', { listView: 'bogus', windowWidth: 'wide', openWindows: 'not json' });
    const settings = await t.em().findOneOrFail(ChatSettings, { userId: ann.id }, { filters: false });
    expect(settings).toMatchObject({
      collapsed: true,
      listView: 'avatar',
      openIn: 'main',
      sortBy: 'activity',
      splitTabs: true,
      sound: false,
      windowWidth: 333,
      windowHeight: 444,
    });
    const page = await (await signedIn(t.url, ann.email)).load('/');
    expect(page.text).toContain('class="chat-panel collapsed view-avatar"');
    expect(page.text).toContain('data-sound="off"');
  });

  it('shows a conversation opened as a whole page once, not also as a floating window', async () => {
    const company = await createCompany(t.em());
    const [me, other] = [await createUser(t.em(), company), await createUser(t.em(), company)];
    const m = await signedIn(t.url, me.email);
    const conversationId = await directConversation(m, other.id);
    await m.post('/chat/settings', { openWindows: JSON.stringify([{ conversationId, maximized: true }]) });
    expect((await m.load('/')).text.match(new RegExp(`id="win-${conversationId}"`, 'g'))).toHaveLength(1);
    expect((await m.load(`/chat/conversations/${conversationId}`)).text.match(new RegExp(`id="win-${conversationId}"`, 'g'))).toHaveLength(1);
  });

  it('sorts the panel alphabetically or by last activity', async () => {
    const company = await createCompany(t.em());
    const me = await createUser(t.em(), company, { name: 'Me Myself' });
    const adam = await createUser(t.em(), company, { name: 'Adam First' });
    const zoe = await createUser(t.em(), company, { name: 'Zoe Last' });
    const m = await signedIn(t.url, me.email);
    const z = await signedIn(t.url, zoe.email);
    await send(z, await directConversation(z, me.id), 'recent');
    const order = async () => {
      const text = (await m.agent.get('/chat/panel').set('HX-Request', 'true')).text;
      return [text.indexOf('Adam First'), text.indexOf('Zoe Last')];
    };
    const [adamAlpha, zoeAlpha] = await order();
    expect(adamAlpha).toBeLessThan(zoeAlpha);
    await m.post('/chat/settings', { sortBy: 'activity' });
    const [adamActive, zoeActive] = await order();
    expect(zoeActive).toBeLessThan(adamActive);
    expect(adam).toBeDefined();
  });

  it('renders the panel and opens a conversation in a fixed number of queries, whatever the history and the number of conversations', async () => {
    const company = await createCompany(t.em());
    const me = await createUser(t.em(), company);
    const others = [await createUser(t.em(), company), await createUser(t.em(), company)];
    const m = await signedIn(t.url, me.email);
    const conversationId = await directConversation(m, others[0].id);
    await send(m, conversationId, 'one');
    await createGroup(m, 'G1', [others[1].id]);

    // The fewest of three tries: a request's own statements are the same every time, while a background tick (a
    // worker's poll landing inside the request) can only add to one of them.
    const measure = async (path: string) => {
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        await settle(); // background work of earlier requests (pushes, notifications) must not be counted
        t.queries.length = 0;
        const res = await m.agent.get(path).set('HX-Request', 'true');
        expect(res.status).toBe(200);
        counts.push(t.queries.length);
      }
      return Math.min(...counts);
    };
    const panelSmall = await measure('/chat/panel');
    const openSmall = await measure(`/chat/conversations/${conversationId}`);

    // Ten times the people, conversations and history.
    for (let i = 0; i < 20; i++) others.push(await createUser(t.em(), company));
    for (const other of others.slice(2, 12)) await send(m, await directConversation(m, other.id), 'hi');
    for (let i = 0; i < 10; i++) await createGroup(m, `G${i + 2}`, [others[i].id, others[i + 1].id]);
    await insertMessages(t.em(), { companyId: company.id, conversationId, authorId: me.id }, 3000, { firstSeq: 1001 });

    expect(await measure('/chat/panel')).toBe(panelSmall);
    expect(await measure(`/chat/conversations/${conversationId}`)).toBe(openSmall);
    console.log(`queries: panel ${panelSmall}, opening a conversation ${openSmall} (each including the session lookup)`);
  });
});
