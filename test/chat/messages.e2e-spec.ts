import { randomUUID } from 'node:crypto';
import { Message } from '../../src/chat/message.entity';
import { createGroup, directConversation, send } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('chat messages over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A hundred messages a test, faster than anyone types: the limits have tests of their own.
    t = await startTestApp({ RATE_LIMITS: 'false' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  async function pair() {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company, { name: 'Ann' });
    const bob = await createUser(t.em(), company, { name: 'Bob' });
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    const conversationId = await directConversation(a, bob.id);
    return { company, ann, bob, a, b, conversationId };
  }

  const stored = (conversationId: number) => t.em().find(Message, { conversation: conversationId }, { filters: false, orderBy: { id: 'asc' } });

  it('stores a message once per client id: a retried send returns the stored message', async () => {
    const { a, conversationId } = await pair();
    const first = await send(a, conversationId, 'Hello');
    expect(first.res.status).toBe(201);
    const retry = await send(a, conversationId, 'Hello', first.clientId);
    expect(retry.res.status).toBe(200);
    expect(retry.id).toBe(first.id);
    const parallel = await Promise.all(Array.from({ length: 5 }, () => send(a, conversationId, 'Again', first.clientId)));
    expect(parallel.every((p) => p.id === first.id)).toBe(true);
    expect(await stored(conversationId)).toHaveLength(1);
  });

  it('refuses another member’s client id instead of returning their message', async () => {
    const { a, b, conversationId } = await pair();
    const mine = await send(a, conversationId, 'Mine');
    const theirs = await send(b, conversationId, 'Not yours', mine.clientId);
    expect(theirs.res.status).toBe(409);
    expect(theirs.res.text).not.toContain('Mine');
  });

  it('keeps line breaks and escapes markup, and links URLs safely', async () => {
    const { a, conversationId } = await pair();
    const { res } = await send(a, conversationId, 'line one\nline <two> https://example.com/x');
    expect(res.text).toContain('line &lt;two&gt;');
    expect(res.text).toContain('<a href="https://example.com/x" rel="noopener noreferrer nofollow" target="_blank">');
    expect((await stored(conversationId))[0].body).toBe('line one\nline <two> https://example.com/x');
  });

  it.each([
    ['an empty message', '   ', 'Write something before sending.'],
    ['a message over 10,000 characters', 'x'.repeat(10_001), 'at most 10,000 characters'],
  ])('answers %s with a clear 422 and stores nothing', async (_case, body, message) => {
    const { a, conversationId } = await pair();
    const { res } = await send(a, conversationId, body);
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await stored(conversationId)).toHaveLength(0);
  });

  it('accepts exactly 10,000 characters', async () => {
    const { a, conversationId } = await pair();
    expect((await send(a, conversationId, 'ż'.repeat(10_000))).res.status).toBe(201);
  });

  it('refuses a send without a valid client id with 422', async () => {
    const { a, conversationId } = await pair();
    expect((await send(a, conversationId, 'Hi', 'not-a-uuid')).res.status).toBe(422);
  });

  it('lets a user without JavaScript read a conversation and send with a plain form', async () => {
    const { a, bob, conversationId } = await pair();
    const page = await a.load(`/chat/conversations/${conversationId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form class="composer" method="post"');
    const clientId = /name="clientId" value="([^"]+)"/.exec(page.text)![1];
    const sent = await a.post(`/chat/conversations/${conversationId}/messages`, { clientId, body: 'Sent without JS' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/chat/conversations/${conversationId}#m-${clientId}`);
    expect((await a.load(`/chat/conversations/${conversationId}`)).text).toContain('Sent without JS');
    const empty = await a.post(`/chat/conversations/${conversationId}/messages`, { clientId: randomUUID(), body: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Write something before sending.');
    const tooLong = await a.post(`/chat/conversations/${conversationId}/messages`, { clientId: randomUUID(), body: 'y'.repeat(10_001) });
    expect(tooLong.status).toBe(422);
    expect(tooLong.text).toContain('y'.repeat(10_001));
    expect(bob).toBeDefined();
  });

  it('quotes the message replied to', async () => {
    const { a, b, conversationId } = await pair();
    const original = await send(a, conversationId, 'Original question');
    const { res } = await send(b, conversationId, 'The answer', randomUUID(), { replyTo: String(original.id) });
    expect(res.text).toContain(`href="#m-${original.clientId}"`);
    expect(res.text).toContain('Original question');
  });

  it('lets only the author edit, marks the message edited, and keeps it when the edit is bad', async () => {
    const { a, b, conversationId } = await pair();
    const { id } = await send(a, conversationId, 'Draft');
    const byOther = await b.agent.patch(`/chat/messages/${id}`).set('X-CSRF-Token', b.csrf).type('form').send({ body: 'Hacked' });
    expect(byOther.status).toBe(403);
    const empty = await a.agent.patch(`/chat/messages/${id}`).set('X-CSRF-Token', a.csrf).set('HX-Request', 'true').type('form').send({ body: '' });
    expect(empty.status).toBe(422);
    const edited = await a.agent.patch(`/chat/messages/${id}`).set('X-CSRF-Token', a.csrf).set('HX-Request', 'true').type('form').send({ body: 'Final' });
    expect(edited.status).toBe(200);
    expect(edited.text).toContain('class="edited"');
    expect(edited.text).toContain('Final');
    const [row] = await stored(conversationId);
    expect(row.body).toBe('Final');
    expect(row.editedAt).toBeInstanceOf(Date);
  });

  it('deletes one’s own message, leaving a "message deleted" line; another member of a one-to-one chat may not', async () => {
    const { a, b, conversationId } = await pair();
    const { id } = await send(a, conversationId, 'Oops');
    expect((await b.agent.delete(`/chat/messages/${id}`).set('X-CSRF-Token', b.csrf)).status).toBe(403);
    const res = await a.agent.delete(`/chat/messages/${id}`).set('X-CSRF-Token', a.csrf).set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Message deleted');
    expect(res.text).not.toContain('Oops');
    const [row] = await stored(conversationId);
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect(row.body).toBe('');
  });

  it('lets administrators and directors delete any message in a group they belong to, not plain members', async () => {
    const company = await createCompany(t.em());
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const director = await createUser(t.em(), company, { role: 'director' });
    const user = await createUser(t.em(), company);
    const other = await createUser(t.em(), company);
    const u = await signedIn(t.url, user.email);
    const groupId = await createGroup(u, 'Team', [admin.id, director.id, other.id]);
    const o = await signedIn(t.url, other.email);
    const first = await send(u, groupId, 'first');
    const second = await send(u, groupId, 'second');
    expect((await o.agent.delete(`/chat/messages/${first.id}`).set('X-CSRF-Token', o.csrf)).status).toBe(403);
    const ad = await signedIn(t.url, admin.email);
    expect((await ad.agent.delete(`/chat/messages/${first.id}`).set('X-CSRF-Token', ad.csrf)).status).toBe(200);
    const di = await signedIn(t.url, director.email);
    expect((await di.agent.delete(`/chat/messages/${second.id}`).set('X-CSRF-Token', di.csrf)).status).toBe(200);
  });

  it('pages history with keyset paging: 50 newest first, then older pages before a message id', async () => {
    const { a, conversationId } = await pair();
    const ids: number[] = [];
    for (let i = 1; i <= 120; i++) ids.push((await send(a, conversationId, `message ${i}`)).id!);
    const first = await a.agent.get(`/chat/conversations/${conversationId}`).set('HX-Request', 'true');
    const shown = (html: string) => [...html.matchAll(/data-message-id="(\d+)"/g)].map((m) => Number(m[1]));
    expect(shown(first.text)).toEqual(ids.slice(70));
    expect(first.text).toContain(`before=${ids[70]}`);
    const second = await a.agent.get(`/chat/conversations/${conversationId}/messages?before=${ids[70]}`).set('HX-Request', 'true');
    expect(shown(second.text)).toEqual(ids.slice(20, 70));
    const third = await a.agent.get(`/chat/conversations/${conversationId}/messages?before=${ids[20]}`).set('HX-Request', 'true');
    expect(shown(third.text)).toEqual(ids.slice(0, 20));
    expect(third.text).not.toContain('class="older"');
  });

  it('derives unread counts from what was read, and shows a "new messages" divider above the first unread', async () => {
    const { a, b, ann, conversationId } = await pair();
    await send(a, conversationId, 'one');
    const two = await send(a, conversationId, 'two');
    await send(a, conversationId, 'three');
    const panel = await b.agent.get('/chat/panel').set('HX-Request', 'true');
    expect(panel.text).toMatch(new RegExp(`id="unread-u${ann.id}"[^>]*class="badge" data-count="3"><span aria-hidden="true">3<`));
    expect(panel.text).toMatch(/id="unread-total"[^>]*class="badge" data-count="3"[^>]*><span aria-hidden="true">3</);
    expect((await b.post(`/chat/conversations/${conversationId}/read`, { upTo: String(two.id) }, { htmx: true })).status).toBe(204);
    const window = await b.agent.get(`/chat/conversations/${conversationId}`).set('HX-Request', 'true');
    expect(window.text.indexOf('new-divider')).toBeGreaterThan(window.text.indexOf('>two<'));
    expect(window.text.indexOf('new-divider')).toBeLessThan(window.text.indexOf('>three<'));
    await b.post(`/chat/conversations/${conversationId}/read`, { upTo: '999999999' }, { htmx: true });
    const after = await b.agent.get('/chat/panel').set('HX-Request', 'true');
    expect(after.text).toMatch(/id="unread-total"[^>]*class="badge empty" data-count="0"/);
    expect((await a.agent.get('/chat/panel').set('HX-Request', 'true')).text).toMatch(/id="unread-total"[^>]*class="badge empty" data-count="0"/);
  });
});
