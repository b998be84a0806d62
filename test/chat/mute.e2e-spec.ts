import { createGroup, directConversation, Page, send, settle } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

type Notice = { conversationId: number; entry: string; messageId: number; preview: string; muted?: boolean; html: string };

/** A page's socket that keeps each notify packet whole. */
async function listening(url: string, client: Awaited<ReturnType<typeof signedIn>>) {
  const page = await Page.open(url, client);
  const notices: Notice[] = [];
  page.socket.on('notify', (n: Notice) => notices.push(n));
  return { page, notices };
}

describe('muting a conversation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  const mutedIn = async (conversationId: number, userId: number) =>
    (
      await t
        .em()
        .getConnection()
        .execute<{ muted: boolean }[]>(`select muted from conversation_member where conversation_id = ? and user_id = ?`, [conversationId, userId])
    )[0]?.muted;

  it('is the member’s own: their pages are told to stay quiet, the badge still counts, the others still hear it', async () => {
    const company = await createCompany(t.em());
    const [ann, bob, cid] = [await createUser(t.em(), company), await createUser(t.em(), company), await createUser(t.em(), company)];
    const [a, b, c] = [await signedIn(t.url, ann.email), await signedIn(t.url, bob.email), await signedIn(t.url, cid.email)];
    const group = await createGroup(a, 'Quiet please', [bob.id, cid.id]);

    const res = await b.post(`/chat/conversations/${group}/mute`, { muted: 'true' }, { htmx: true });
    expect(res.status).toBe(200);
    // The menu item now offers the opposite.
    expect(res.text).toContain('Unmute notifications');
    expect(res.text).toContain('data-muted="true"');
    expect(await mutedIn(group, bob.id)).toBe(true);
    expect(await mutedIn(group, cid.id)).toBe(false);

    const bobPage = await listening(t.url, b);
    const cidPage = await listening(t.url, c);
    const { id } = await send(a, group, 'Lunch at noon? **All** welcome');
    await bobPage.page.waitFor('unread-c');
    await cidPage.page.waitFor('unread-c');
    await settle();
    expect(bobPage.notices).toHaveLength(1);
    expect(bobPage.notices[0]).toMatchObject({ conversationId: group, entry: `c${group}`, messageId: id, muted: true });
    expect(bobPage.notices[0].html).toMatch(/>1</);
    // The first words, for the desktop notification.
    expect(cidPage.notices[0]).toMatchObject({ messageId: id, preview: 'Lunch at noon? **All** welcome' });
    expect(cidPage.notices[0].muted).toBeUndefined();

    // Unmuted, Bob hears the next one.
    expect((await b.post(`/chat/conversations/${group}/mute`, { muted: 'false' }, { htmx: true })).text).toContain('Mute notifications');
    await send(a, group, 'Second call');
    await settle();
    expect(bobPage.notices).toHaveLength(2);
    expect(bobPage.notices[1].muted).toBeUndefined();
    bobPage.page.close();
    cidPage.page.close();
  });

  it('works as a plain form (back where the user was), and a malformed value changes nothing', async () => {
    const company = await createCompany(t.em());
    const [ann, bob] = [await createUser(t.em(), company), await createUser(t.em(), company)];
    const a = await signedIn(t.url, ann.email);
    const direct = await directConversation(a, bob.id);
    const plain = await a.post(`/chat/conversations/${direct}/mute`, { muted: 'true', returnTo: '/crm/companies' });
    expect(plain.status).toBe(303);
    expect(plain.headers.location).toBe('/crm/companies');
    expect(await mutedIn(direct, ann.id)).toBe(true);
    // Off-site return paths are refused.
    expect((await a.post(`/chat/conversations/${direct}/mute`, { muted: 'true', returnTo: '//evil.example' })).headers.location).toBe('/');
    for (const muted of ['maybe', '', '1', 'TRUE']) {
      const res = await a.post(`/chat/conversations/${direct}/mute`, { muted }, { htmx: true });
      expect(res.status).toBe(200);
      expect(res.text).toContain('Unmute notifications');
    }
    const arrays = await a.agent
      .post(`/chat/conversations/${direct}/mute`)
      .set('HX-Request', 'true')
      .type('form')
      .send(`_csrf=${a.csrf}&muted=false&muted=false`);
    expect(arrays.status).toBeLessThan(500);
    expect(await mutedIn(direct, ann.id)).toBe(true);
    // The window shows it muted when drawn again.
    const win = await a.agent.get(`/chat/conversations/${direct}`).set('HX-Request', 'true');
    expect(win.text).toContain('data-muted="true"');
  });

  it('is refused to outsiders: another member’s conversation, another company’s, a missing one, no CSRF token', async () => {
    const company = await createCompany(t.em());
    const other = await createCompany(t.em());
    const [ann, bob, eve] = [await createUser(t.em(), company), await createUser(t.em(), company), await createUser(t.em(), company)];
    const mallory = await createUser(t.em(), other);
    const a = await signedIn(t.url, ann.email);
    const direct = await directConversation(a, bob.id);
    const e = await signedIn(t.url, eve.email);
    const m = await signedIn(t.url, mallory.email);
    for (const client of [e, m]) expect((await client.post(`/chat/conversations/${direct}/mute`, { muted: 'true' }, { htmx: true })).status).toBe(404);
    for (const id of ['999999999', 'abc', '-1', '99999999999999999999']) expect((await a.post(`/chat/conversations/${id}/mute`, { muted: 'true' })).status).toBe(404);
    const noToken = await a.agent.post(`/chat/conversations/${direct}/mute`).type('form').send('muted=true');
    expect(noToken.status).toBe(403);
    expect(await mutedIn(direct, ann.id)).toBe(false);
    expect(await mutedIn(direct, bob.id)).toBe(false);
  });
});
