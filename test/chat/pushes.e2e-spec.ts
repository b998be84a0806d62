import { decodeWatermark, isRead } from '../../src/chat/read-watermark';
import { createGroup, directConversation, Page, send, settle } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('live pushes of rendered HTML', () => {
  let t: TestApp;
  const pages: Page[] = [];
  const open = async (...args: Parameters<typeof Page.open>) => {
    const page = await Page.open(...args);
    pages.push(page);
    return page;
  };
  beforeAll(async () => {
    // One test sends a hundred messages to see the badge stop at 99+; the limits have tests of their own.
    t = await startTestApp({ RATE_LIMITS: 'false' });
    await createCompany(t.em(), { operator: true });
  });
  afterEach(() => pages.splice(0).forEach((p) => p.close()));
  afterAll(() => t.close());

  async function pair() {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company, { name: 'Ann Pusher' });
    const bob = await createUser(t.em(), company, { name: 'Bob Pushed' });
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    return { company, ann, bob, a, b, conversationId: await directConversation(a, bob.id) };
  }

  /** Whether the watermarks a page received turn this author's message green. */
  const green = (page: Page, conversationId: number, id: number, authorId: number) =>
    page.reads.some((r) => r.conversationId === conversationId && isRead(decodeWatermark(r.read), id, authorId));
  const waitUntil = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 150 && !check(); i++) await settle(20);
    if (!check()) throw new Error(`never happened: ${what}`);
  };

  it('pushes a new message, the same HTML with its change sequence, to every page showing it, and a notification to the others', async () => {
    const { a, b, ann, conversationId } = await pair();
    const bobPage = await open(t.url, b, [conversationId]);
    const annOtherTab = await open(t.url, a, [conversationId]);
    const { clientId, res } = await send(a, conversationId, 'Live hello');
    const theirs = await bobPage.waitFor(`id="m-${clientId}"`);
    expect(theirs).toMatch(new RegExp(`^<li id="m-${clientId}" class="msg" [^>]*data-author-id="${ann.id}"`));
    expect(theirs).toContain('Live hello');
    // One render for everyone: the author's other tab gets exactly the same, and so did the sender's reply.
    expect(await annOtherTab.waitFor(`id="m-${clientId}"`)).toBe(theirs);
    expect(res.text).toBe(theirs);
    const [change] = bobPage.changes;
    expect(change).toEqual({ conversationId, seq: 1, html: theirs });
    await bobPage.waitFor(new RegExp(`id="unread-u${ann.id}" hx-swap-oob="true" class="badge" data-count="1"><span aria-hidden="true">1<`));
    // The page adds the total up from its badges; the server pushes only the conversation's own.
    expect(bobPage.received()).not.toContain('unread-total');
    // The panel entry it concerns is named, so the page can announce it and move it up when sorted by activity.
    expect(bobPage.notified).toEqual([{ conversationId, authorName: 'Ann Pusher', entry: `u${ann.id}` }]);
    expect(annOtherTab.notified).toEqual([]);
  });

  it('pushes the unread badge to a member whose page does not show the conversation', async () => {
    const { a, b, ann, conversationId } = await pair();
    const bobElsewhere = await open(t.url, b);
    const { clientId } = await send(a, conversationId, 'Badge only');
    await bobElsewhere.waitFor(new RegExp(`id="unread-u${ann.id}" hx-swap-oob="true" class="badge" data-count="1">`));
    await settle();
    expect(bobElsewhere.received()).not.toContain(`m-${clientId}`);
  });

  it('renders pushes in each page’s language', async () => {
    const { a, b, conversationId } = await pair();
    const polish = await open(t.url, b, [conversationId], 'pl');
    const english = await open(t.url, b, [conversationId], 'en');
    const { id } = await send(a, conversationId, 'Do usunięcia');
    await a.agent.delete(`/chat/messages/${id}`).set('X-CSRF-Token', a.csrf);
    await polish.waitFor('Wiadomość usunięta');
    await english.waitFor('Message deleted');
    expect(polish.received()).not.toContain('Message deleted');
    expect(english.received()).not.toContain('Wiadomość usunięta');
  });

  it('turns the author’s tick green when the other member reads, and clears the reader’s badge', async () => {
    const { a, b, ann, conversationId } = await pair();
    const annPage = await open(t.url, a, [conversationId]);
    const bobPage = await open(t.url, b);
    const { id } = await send(a, conversationId, 'Read me');
    await bobPage.waitFor(new RegExp(`id="unread-u${ann.id}"[^>]*><span aria-hidden="true">1<`));
    expect(green(annPage, conversationId, id!, ann.id)).toBe(false);
    await b.post(`/chat/conversations/${conversationId}/read`, { upTo: String(id) }, { htmx: true });
    await waitUntil(() => green(annPage, conversationId, id!, ann.id), 'Ann’s tick turns green');
    expect((await a.agent.get(`/chat/messages/${id}/readers`).set('HX-Request', 'true')).text.trim()).toBe('Read by Bob Pushed');
    await bobPage.waitFor(new RegExp(`id="unread-u${ann.id}" hx-swap-oob="true" class="badge empty" data-count="0">`));
  });

  it('shows a group message green only when every other member has read it, listing who has', async () => {
    const company = await createCompany(t.em());
    const [ann, bob, cid] = [
      await createUser(t.em(), company, { name: 'Ann G' }),
      await createUser(t.em(), company, { name: 'Bob G' }),
      await createUser(t.em(), company, { name: 'Cid G' }),
    ];
    const a = await signedIn(t.url, ann.email);
    const groupId = await createGroup(a, 'Trio', [bob.id, cid.id]);
    const annPage = await open(t.url, a, [groupId]);
    const { id } = await send(a, groupId, 'For both of you');
    await (await signedIn(t.url, bob.email)).post(`/chat/conversations/${groupId}/read`, { upTo: String(id) }, { htmx: true });
    // Bob's read turns none of Ann's messages read: her page is not told anything yet.
    await settle();
    expect(green(annPage, groupId, id!, ann.id)).toBe(false);
    const readers = () => a.agent.get(`/chat/messages/${id}/readers`).set('HX-Request', 'true');
    expect((await readers()).text.trim()).toBe('Read by Bob G');
    await (await signedIn(t.url, cid.email)).post(`/chat/conversations/${groupId}/read`, { upTo: String(id) }, { htmx: true });
    await waitUntil(() => green(annPage, groupId, id!, ann.id), 'Ann’s tick turns green once both read');
    expect((await readers()).text.trim()).toBe('Read by Bob G, Cid G');
  });

  it('clears a group’s own badge for the reader, not a one-to-one badge', async () => {
    const company = await createCompany(t.em());
    const [ann, bob] = [await createUser(t.em(), company), await createUser(t.em(), company)];
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    const groupId = await createGroup(a, 'Badges', [bob.id]);
    const bobPage = await open(t.url, b);
    const { id } = await send(a, groupId, 'group news');
    await bobPage.waitFor(new RegExp(`id="unread-c${groupId}" hx-swap-oob="true" class="badge" data-count="1"><span aria-hidden="true">1<`));
    await b.post(`/chat/conversations/${groupId}/read`, { upTo: String(id) }, { htmx: true });
    await bobPage.waitFor(new RegExp(`id="unread-c${groupId}" hx-swap-oob="true" class="badge empty" data-count="0">`));
    expect(bobPage.received()).not.toContain(`unread-u${ann.id}"`);
  });

  it('counts a reply as reading what came before it: the other side’s tick turns green, the replier’s badge clears', async () => {
    const { a, b, ann, conversationId } = await pair();
    const annPage = await open(t.url, a, [conversationId]);
    const bobElsewhere = await open(t.url, b);
    const { id } = await send(a, conversationId, 'question');
    await bobElsewhere.waitFor(new RegExp(`id="unread-u${ann.id}"[^>]*><span aria-hidden="true">1<`));
    await send(b, conversationId, 'answer, without marking anything read first');
    await waitUntil(() => green(annPage, conversationId, id!, ann.id), 'the question turns green');
    await bobElsewhere.waitFor(new RegExp(`id="unread-u${ann.id}" hx-swap-oob="true" class="badge empty" data-count="0">`));
  });

  it('counts unread messages up to 99+, and again exactly once some are read', async () => {
    const { a, b, ann, conversationId } = await pair();
    const ids: number[] = [];
    for (let i = 0; i < 101; i++) ids.push((await send(a, conversationId, `flood ${i}`)).id!);
    const bobPage = await open(t.url, b);
    await send(a, conversationId, 'one more');
    const full = await bobPage.waitFor(new RegExp(`id="unread-u${ann.id}"[^>]*data-count="100"`));
    expect(full).toContain('<span aria-hidden="true">99+</span><span class="visually-hidden">99+ unread</span>');
    await b.post(`/chat/conversations/${conversationId}/read`, { upTo: String(ids[94]) }, { htmx: true });
    // Six of the flood and "one more" are left.
    await bobPage.waitFor(new RegExp(`id="unread-u${ann.id}"[^>]*data-count="7"><span aria-hidden="true">7<`));
  });

  it('pushes edits (with the pencil) and deletions to every page showing the conversation', async () => {
    const { a, b, conversationId } = await pair();
    const bobPage = await open(t.url, b, [conversationId]);
    const { clientId, id } = await send(a, conversationId, 'first version');
    await bobPage.waitFor('first version');
    await a.agent.patch(`/chat/messages/${id}`).set('X-CSRF-Token', a.csrf).type('form').send({ body: 'second version' });
    const edited = await bobPage.waitFor('second version');
    expect(edited).toContain(`id="m-${clientId}"`);
    expect(edited).toContain('class="edited"');
    await a.agent.delete(`/chat/messages/${id}`).set('X-CSRF-Token', a.csrf);
    const deleted = await bobPage.waitFor('Message deleted');
    expect(deleted).toContain(`id="m-${clientId}" class="msg deleted"`);
    expect(deleted).not.toContain('first version');
    expect(bobPage.changes.map((c) => c.seq)).toEqual([1, 2, 3]);
  });

  it('stops a group’s pushes at once for a member who is removed or leaves', async () => {
    const company = await createCompany(t.em());
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const [bob, cid] = [await createUser(t.em(), company), await createUser(t.em(), company)];
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Shrinking', [bob.id, cid.id]);
    const b = await signedIn(t.url, bob.email);
    const c = await signedIn(t.url, cid.email);
    const bobPage = await open(t.url, b, [groupId]);
    const cidPage = await open(t.url, c, [groupId]);

    await ad.load(`/chat/groups/${groupId}/edit`);
    await ad.agent.post(`/chat/groups/${groupId}`).type('form').send(`_csrf=${ad.csrf}&name=Shrinking&members=${cid.id}`);
    await settle(200);
    expect(bobPage.refreshed).toContainEqual({ panel: true, closeConversationId: groupId });
    const { clientId } = await send(ad, groupId, 'after Bob was removed');
    await cidPage.waitFor(`m-${clientId}`);
    await settle();
    expect(bobPage.received()).not.toContain(clientId);
    expect(bobPage.received()).not.toContain('after Bob was removed');
    expect(await bobPage.join(groupId)).toBe(false);
  });
});
