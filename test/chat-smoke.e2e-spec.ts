import { randomUUID } from 'node:crypto';
import { Socket } from 'socket.io-client';
import { createCompany, createUser } from './support/factories';
import { signedIn } from './support/http-client';
import { connected, connectSocket } from './support/sockets';
import { startTestApp, TestApp } from './support/test-app';

describe('chat smoke', () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t.close();
  });

  it('sends a one-to-one message that the other page receives live', async () => {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company, { name: 'Ann Smoke' });
    const bob = await createUser(t.em(), company, { name: 'Bob Smoke' });
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    const home = await a.load('/');
    expect(home.text).toContain('id="chat-panel"');
    expect(home.text).toContain('Bob Smoke');
    const open = await a.agent.get(`/chat/users/${bob.id}`).set('HX-Request', 'true');
    expect(open.status).toBe(200);
    const conversationId = Number(/data-conversation-id="(\d+)"/.exec(open.text)![1]);

    const bobSocket = connectSocket(t.url, b.sessionCookie());
    sockets.push(bobSocket);
    await connected(bobSocket);
    const joined = await new Promise<boolean>((resolve) => bobSocket.emit('conversation:join', conversationId, resolve));
    expect(joined).toBe(true);
    const received: string[] = [];
    bobSocket.on('html', (html: string) => received.push(html));
    bobSocket.on('messages', (event: { html: string }) => received.push(event.html));
    // The message comes inside the notification, with the badge.
    bobSocket.on('notify', (event: { html: string; message?: string }) => received.push(event.message ?? '', event.html));

    const clientId = randomUUID();
    const sent = await a.post(`/chat/conversations/${conversationId}/messages`, { clientId, body: 'Hello <b>Bob</b> https://example.com' }, { htmx: true });
    expect(sent.status).toBe(201);
    expect(sent.text).toContain(`id="m-${clientId}"`);
    const again = await a.post(`/chat/conversations/${conversationId}/messages`, { clientId, body: 'Hello <b>Bob</b> https://example.com' }, { htmx: true });
    expect(again.status).toBe(200);

    await new Promise((r) => setTimeout(r, 500));
    const all = received.join('\n');
    expect(all).toContain(`id="m-${clientId}"`);
    expect(all).toContain('Hello &lt;b&gt;Bob&lt;/b&gt;');
    expect(all).toMatch(/id="unread-u\d+"[^>]*data-count="1"/);
    const panel = await b.load('/');
    expect(panel.text).toMatch(/id="unread-total"[^>]*class="badge"[^>]*><span aria-hidden="true">1</);
  });
});
