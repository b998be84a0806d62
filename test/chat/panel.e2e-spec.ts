import { createGroup, directConversation, send } from '../support/chat';
import { createCompany, createUser, insertMessages } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('the chat panel', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  it('counts unread per conversation and in total without one’s own and deleted messages, and sorts by activity', async () => {
    const company = await createCompany(t.em());
    const me = await createUser(t.em(), company, { name: 'Me Myself' });
    const ann = await createUser(t.em(), company, { name: 'Ann' });
    const bob = await createUser(t.em(), company, { name: 'Bob' });
    const gone = await createUser(t.em(), company, { name: 'Carl Gone', active: false });
    const stranger = await createUser(t.em(), await createCompany(t.em()), { name: 'Stranger' });
    const m = await signedIn(t.url, me.email);
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    const busy = await createGroup(m, 'Busy', [ann.id, bob.id]);
    await send(m, busy, 'Hello all');
    await send(a, busy, 'One');
    await send(a, busy, 'Two');
    const regretted = await send(b, busy, 'Three');
    await b.agent.delete(`/chat/messages/${regretted.id}`).set('X-CSRF-Token', b.csrf);
    const direct = await directConversation(a, me.id);
    for (const body of ['a', 'b', 'c']) await send(a, direct, body);
    // A group without messages is as recent as its creation.
    const quiet = await createGroup(m, 'Quiet', [bob.id]);

    await m.post('/chat/settings', { sortBy: 'activity' });
    const panel = (await m.agent.get('/chat/panel').set('HX-Request', 'true')).text;
    const count = (key: string) => new RegExp(`id="unread-${key}"[^>]*data-count="(\\d+)"`).exec(panel)?.[1];
    expect([count(`c${busy}`), count(`u${ann.id}`), count(`c${quiet}`), count(`u${bob.id}`), count('total')]).toEqual(['2', '3', '0', '0', '5']);
    const at = (key: string) => panel.indexOf(`id="entry-${key}"`);
    expect([at(`c${quiet}`), at(`u${ann.id}`), at(`c${busy}`), at(`u${bob.id}`)].every((n, i, all) => n >= 0 && (i === 0 || all[i - 1] < n))).toBe(true);
    expect(panel).not.toContain(`entry-u${gone.id}"`);
    expect(panel).not.toContain(`entry-u${stranger.id}"`);
    expect(panel).not.toContain(`entry-u${me.id}"`);
  });

  it('counts a long backlog up to 99+, as the pushes do', async () => {
    const company = await createCompany(t.em());
    const me = await createUser(t.em(), company);
    const ann = await createUser(t.em(), company);
    const m = await signedIn(t.url, me.email);
    const a = await signedIn(t.url, ann.email);
    const direct = await directConversation(a, me.id);
    await send(a, direct, 'first');
    await insertMessages(t.em(), { companyId: company.id, conversationId: direct, authorId: ann.id }, 250, { label: 'backlog', firstSeq: 1001 });
    const panel = (await m.agent.get('/chat/panel').set('HX-Request', 'true')).text;
    expect(panel).toMatch(new RegExp(`id="unread-u${ann.id}" class="badge" data-count="100"><span aria-hidden="true">99\\+</span>`));
    expect(panel).toMatch(/id="unread-total" class="badge" data-count="100"/);
  });
});
