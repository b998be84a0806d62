import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { LIMITS } from '../../src/security/limits.service';
import { createGroup, directConversation, send } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { connected, connectSocket, refused } from '../support/sockets';
import { startTestApp, TestApp } from '../support/test-app';

const messagesAtOnce = LIMITS.messages.rate.points + LIMITS.messages.burst.points;

describe('limits per user and per session', () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startTestApp({ SOCKETS_PER_SESSION: '3' });
    await createCompany(t.em(), { operator: true });
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => t.close());

  async function pair() {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company);
    const bob = await createUser(t.em(), company);
    const a = await signedIn(t.url, ann.email);
    return { ann, bob, a, conversationId: await directConversation(a, bob.id) };
  }

  it('takes a burst of messages, then answers 429 with Retry-After and a readable reason, storing nothing more', async () => {
    const { a, conversationId } = await pair();
    const statuses: number[] = [];
    for (let i = 0; i < messagesAtOnce + 20; i++) statuses.push((await send(a, conversationId, `burst ${i}`)).res.status);
    expect(statuses.slice(0, messagesAtOnce).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(messagesAtOnce).every((s) => s === 429)).toBe(true);
    const limited = await send(a, conversationId, 'still too fast');
    expect(limited.res.status).toBe(429);
    expect(Number(limited.res.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.res.text).toContain('You are sending messages too fast');
    const [{ n }] = await t.em().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from message where conversation_id = ?`, [conversationId]);
    expect(n).toBe(messagesAtOnce);
  });

  it('gives the plain form back with the text as typed when it is too fast', async () => {
    const { a, conversationId } = await pair();
    for (let i = 0; i < messagesAtOnce; i++) await send(a, conversationId, `fill ${i}`);
    const res = await a.post(`/chat/conversations/${conversationId}/messages`, { clientId: randomUUID(), body: 'my careful words' });
    expect(res.status).toBe(429);
    expect(res.text).toContain('my careful words</textarea>');
    expect(res.text).toContain('You are sending messages too fast');
  });

  it('refuses sends over the socket past the limit with a readable reason in the acknowledgement', async () => {
    const { a, conversationId } = await pair();
    const socket = connectSocket(t.url, a.sessionCookie(), {}, { locale: 'en' });
    sockets.push(socket);
    await connected(socket);
    const acks: { ok: boolean; status?: number; error?: string }[] = [];
    for (let i = 0; i < messagesAtOnce + 1; i++) {
      acks.push(await socket.emitWithAck('message:send', { conversationId, clientId: randomUUID(), body: `socket ${i}` }));
    }
    expect(acks.slice(0, messagesAtOnce).every((ack) => ack.ok)).toBe(true);
    expect(acks[messagesAtOnce]).toEqual({ ok: false, status: 429, error: expect.stringContaining('You are sending messages too fast') });
  });

  it('counts edits and deletions with the messages', async () => {
    const { a, conversationId } = await pair();
    const { id } = await send(a, conversationId, 'to be edited');
    for (let i = 1; i < messagesAtOnce; i++) {
      expect((await a.agent.patch(`/chat/messages/${id}`).set('X-CSRF-Token', a.csrf).set('HX-Request', 'true').type('form').send({ body: `edit ${i}` })).status).toBe(200);
    }
    const limited = await a.agent.delete(`/chat/messages/${id}`).set('X-CSRF-Token', a.csrf).set('HX-Request', 'true');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('limits how many groups one user creates, with the form kept', async () => {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company);
    const a = await signedIn(t.url, ann.email);
    for (let i = 0; i < LIMITS.groups.rate.points; i++) await createGroup(a, `Group ${i}`, []);
    const res = await a.post('/chat/groups', { name: 'One group too many' });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.text).toContain('You are doing this too often');
    expect(res.text).toContain('value="One group too many"');
  });

  it('limits uploads per user', async () => {
    const { a, conversationId } = await pair();
    const upload = () =>
      a.agent
        .post(`/chat/conversations/${conversationId}/attachments`)
        .set('X-CSRF-Token', a.csrf)
        .set('HX-Request', 'true')
        .field('clientId', randomUUID())
        .attach('file', Buffer.from('a few words'), 'note.txt');
    for (let i = 0; i < LIMITS.uploads.rate.points + LIMITS.uploads.burst.points; i++) expect((await upload()).status).toBe(201);
    const limited = await upload();
    expect(limited.status).toBe(429);
    expect(limited.text).toContain('You are doing this too often');
  });

  it('holds only so many sockets open for one session, and lets a new one in when another closes', async () => {
    const { a } = await pair();
    const open = [];
    for (let i = 0; i < 3; i++) {
      const socket = connectSocket(t.url, a.sessionCookie());
      sockets.push(socket);
      await connected(socket);
      open.push(socket);
    }
    const fourth = connectSocket(t.url, a.sessionCookie());
    sockets.push(fourth);
    expect(await refused(fourth)).toBe('too_many_connections');
    open[0].close();
    // The closed socket's row goes when the server hears of it.
    let admitted = false;
    for (let i = 0; i < 50 && !admitted; i++) {
      const again = connectSocket(t.url, a.sessionCookie());
      sockets.push(again);
      admitted = await connected(again).then(
        () => true,
        () => false,
      );
      if (!admitted) await new Promise((r) => setTimeout(r, 100));
    }
    expect(admitted).toBe(true);
  });
});
