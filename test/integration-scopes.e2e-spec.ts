import request from 'supertest';
import { createGroup, Page, send } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { tokenIn } from './support/integrations';

/** Issue 21: two-way integrations — a token's scopes, and an integration editing, deleting, replying and reading. */
describe('integration scopes: post, edit, read', () => {
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

  async function generate(client: Client, groupId: number, scopes: string[]): Promise<string> {
    await client.load(`/chat/groups/${groupId}/api-token`);
    const form = `_csrf=${encodeURIComponent(client.csrf)}&origins=&scopesShown=1${scopes.map((s) => `&scopes=${s}`).join('')}`;
    const res = await client.agent.post(`/chat/groups/${groupId}/api-token`).type('form').send(form);
    expect(res.status).toBe(201);
    return tokenIn(res.text);
  }

  async function scene(scopes = ['post', 'edit', 'read']) {
    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin', name: 'Ada Admin' });
    const member = await createUser(t.em(), company);
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Orders', [member.id]);
    return { ad, member, groupId, token: await generate(ad, groupId, scopes) };
  }

  const api = (method: 'get' | 'post' | 'patch' | 'delete', path: string, token: string) =>
    request(t.url)[method](path).set('Authorization', `Bearer ${token}`);

  it('edits and deletes its own messages, live on members’ pages, and no one else’s', async () => {
    const s = await scene();
    const m = await signedIn(t.url, s.member.email);
    const page = await Page.open(t.url, m, [s.groupId]);
    pages.push(page);
    const posted = await api('post', '/api/v1/messages', s.token).send({ text: 'Order #7 paid' });
    expect(posted.status).toBe(201);
    const edited = await api('patch', `/api/v1/messages/${posted.body.id}`, s.token).send({ text: 'Order #7 shipped' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ text: 'Order #7 shipped', deleted: false, author: { type: 'integration' } });
    expect(edited.body.editedAt).toBeTruthy();
    await page.waitFor('Order #7 shipped');

    const own = await send(s.ad, s.groupId, 'written by Ada');
    expect((await api('patch', `/api/v1/messages/${own.id}`, s.token).send({ text: 'hijacked' })).status).toBe(403);
    expect((await api('delete', `/api/v1/messages/${own.id}`, s.token)).status).toBe(403);
    expect((await api('patch', '/api/v1/messages/999999999', s.token).send({ text: 'x' })).status).toBe(404);
    expect((await api('delete', '/api/v1/messages/abc', s.token)).status).toBe(404);

    expect((await api('delete', `/api/v1/messages/${posted.body.id}`, s.token)).status).toBe(204);
    expect((await api('delete', `/api/v1/messages/${posted.body.id}`, s.token)).status).toBe(204);
    expect((await api('patch', `/api/v1/messages/${posted.body.id}`, s.token).send({ text: 'too late' })).status).toBe(409);
    const window = await s.ad.agent.get(`/chat/conversations/${s.groupId}`).set('HX-Request', 'true');
    expect(window.text).not.toContain('Order #7 shipped');
    expect(window.text).toContain('written by Ada');
  });

  it('reads the group’s history newest first with keyset paging, and replies to a message', async () => {
    const s = await scene();
    for (let i = 1; i <= 5; i++) await send(s.ad, s.groupId, `message ${i}`);
    const first = await api('get', '/api/v1/messages?limit=2', s.token);
    expect(first.status).toBe(200);
    expect(first.body.messages.map((m: { text: string }) => m.text)).toEqual(['message 5', 'message 4']);
    expect(first.body.messages[0].author).toMatchObject({ type: 'user', name: 'Ada Admin' });
    const next = await api('get', `/api/v1/messages?limit=10&before=${first.body.nextBefore}`, s.token);
    expect(next.body.messages.map((m: { text: string }) => m.text)).toEqual(['message 3', 'message 2', 'message 1']);
    expect(next.body.nextBefore).toBeNull();
    expect((await api('get', '/api/v1/messages?limit=500', s.token)).status).toBe(422);
    expect((await api('get', '/api/v1/messages?before=x', s.token)).status).toBe(422);

    const replied = await api('post', '/api/v1/messages', s.token).send({ text: 'On it', replyToId: first.body.messages[0].id });
    expect(replied.status).toBe(201);
    const window = await s.ad.agent.get(`/chat/conversations/${s.groupId}`).set('HX-Request', 'true');
    expect(window.text).toMatch(/msg-quote[^]*message 5[^]*On it/);
    expect((await api('post', '/api/v1/messages', s.token).send({ text: 'bad', replyToId: 'x' })).status).toBe(422);
  });

  it('refuses what the token’s scopes do not grant (403, insufficient_scope), and a token made before scopes only posts', async () => {
    const s = await scene(['post']);
    const posted = await api('post', '/api/v1/messages', s.token).send({ text: 'allowed' });
    expect(posted.status).toBe(201);
    const read = await api('get', '/api/v1/messages', s.token);
    expect(read.status).toBe(403);
    expect(read.headers['www-authenticate']).toContain('insufficient_scope');
    expect((await api('patch', `/api/v1/messages/${posted.body.id}`, s.token).send({ text: 'no' })).status).toBe(403);
    expect((await api('delete', `/api/v1/messages/${posted.body.id}`, s.token)).status).toBe(403);

    const readOnly = await scene(['read']);
    expect((await api('post', '/api/v1/messages', readOnly.token).send({ text: 'no' })).status).toBe(403);
    expect((await api('get', '/api/v1/messages', readOnly.token)).status).toBe(200);

    // Another group's messages are out of reach whatever the scopes.
    const other = await scene();
    const theirs = await send(other.ad, other.groupId, 'other group');
    expect((await api('patch', `/api/v1/messages/${theirs.id}`, s.token).send({ text: 'x' })).status).toBe(403);
    const full = await scene();
    expect((await api('patch', `/api/v1/messages/${theirs.id}`, full.token).send({ text: 'x' })).status).toBe(404);
    expect((await api('get', '/api/v1/messages', full.token)).body.messages.map((m: { text: string }) => m.text)).not.toContain('other group');
  });

  it('shows Markdown-lite and Slack-style labelled links, escaped, and edits a formatted message as typed', async () => {
    const s = await scene();
    const text = 'Order **#7** is _late_: see <https://shop.test/o/7|the order> or [docs](https://d.test) `a<b>`, <img src=x onerror=alert(1)>';
    expect((await api('post', '/api/v1/messages', s.token).send({ text })).status).toBe(201);
    const own = await send(s.ad, s.groupId, 'mine with **bold**');
    const window = (await s.ad.agent.get(`/chat/conversations/${s.groupId}`).set('HX-Request', 'true')).text;
    expect(window).toContain('<strong>#7</strong>');
    expect(window).toContain('<em>late</em>');
    expect(window).toMatch(/<a href="https:\/\/shop\.test\/o\/7"[^>]*>the order<\/a>/);
    expect(window).toMatch(/<a href="https:\/\/d\.test"[^>]*>docs<\/a>/);
    expect(window).toContain('<code>a&lt;b&gt;</code>');
    expect(window).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(window).not.toContain('<img src=x');
    // The author's editor gets the text as typed, markers and all.
    expect(window).toContain(`data-source="mine with **bold**"`);
    expect(own.id).toBeTruthy();
  });

  it('sends a file as the integration with the "files" scope, by the chat’s file rules, and only with it', async () => {
    const s = await scene(['post', 'files']);
    const sent = await api('post', '/api/v1/files', s.token).attach('file', Buffer.from('invoice 7\n'), {
      filename: 'invoice-7.txt',
      contentType: 'text/plain',
    });
    expect(sent.status).toBe(201);
    expect(sent.body.author).toMatchObject({ type: 'integration' });
    const window = (await s.ad.agent.get(`/chat/conversations/${s.groupId}`).set('HX-Request', 'true')).text;
    expect(window).toContain('invoice-7.txt');
    expect(messageBlock(window, 'invoice-7.txt')).toContain('api-badge');
    const fileUrl = /href="(\/files\/\d+\/invoice-7\.txt)"/.exec(window)![1];
    expect((await s.ad.agent.get(fileUrl)).text).toBe('invoice 7\n');

    expect((await api('post', '/api/v1/files', s.token).attach('file', Buffer.alloc(0), { filename: 'empty.txt', contentType: 'text/plain' })).status).toBe(
      422,
    );
    expect((await api('post', '/api/v1/files', s.token).send({ text: 'not a file' })).status).toBe(415);
    const noScope = await scene(['post']);
    const refused = await api('post', '/api/v1/files', noScope.token).attach('file', Buffer.from('x'), { filename: 'x.txt', contentType: 'text/plain' });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('/api/problems/insufficient-scope');
  });
});

function messageBlock(html: string, text: string): string {
  return html.split('<li ').find((part) => part.includes(text)) ?? '';
}
