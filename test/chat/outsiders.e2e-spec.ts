import { randomUUID } from 'node:crypto';
import { Message } from '../../src/chat/message.entity';
import { createGroup, directConversation, Page, send, settle } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('outsiders of a conversation', () => {
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

  async function scene() {
    const company = await createCompany(t.em());
    const [ann, bob, eve] = [await createUser(t.em(), company), await createUser(t.em(), company), await createUser(t.em(), company)];
    const elsewhere = await createCompany(t.em());
    const mallory = await createUser(t.em(), elsewhere, { role: 'admin' });
    const a = await signedIn(t.url, ann.email);
    const conversationId = await directConversation(a, bob.id);
    const groupId = await createGroup(a, 'Ann and Bob', [bob.id]);
    const { id: messageId } = await send(a, conversationId, 'secret one-to-one');
    const { id: groupMessageId } = await send(a, groupId, 'secret group');
    return {
      ann,
      bob,
      eve,
      mallory,
      a,
      e: await signedIn(t.url, eve.email),
      m: await signedIn(t.url, mallory.email),
      conversationId,
      groupId,
      messageId: messageId!,
      groupMessageId: groupMessageId!,
    };
  }

  it('answers a non-member of the same company and a user of another company with 404 on every chat route', async () => {
    const s = await scene();
    for (const outsider of [s.e, s.m]) {
      for (const id of [s.conversationId, s.groupId]) {
        expect((await outsider.agent.get(`/chat/conversations/${id}`).set('HX-Request', 'true')).status).toBe(404);
        expect((await outsider.agent.get(`/chat/conversations/${id}/messages?before=999999`)).status).toBe(404);
        expect((await outsider.agent.get(`/chat/conversations/${id}/changes?since=0`)).status).toBe(404);
        expect((await send(outsider, id, 'intrusion', randomUUID())).res.status).toBe(404);
        expect((await outsider.post(`/chat/conversations/${id}/read`, { upTo: '1' }, { htmx: true })).status).toBe(404);
      }
      for (const id of [s.messageId, s.groupMessageId]) {
        expect((await outsider.agent.patch(`/chat/messages/${id}`).set('X-CSRF-Token', outsider.csrf).type('form').send({ body: 'x' })).status).toBe(404);
        expect((await outsider.agent.delete(`/chat/messages/${id}`).set('X-CSRF-Token', outsider.csrf)).status).toBe(404);
      }
      expect((await outsider.agent.get(`/chat/groups/${s.groupId}/edit`)).status).toBe(404);
      expect((await outsider.agent.delete(`/chat/groups/${s.groupId}`).set('X-CSRF-Token', outsider.csrf)).status).toBe(404);
      expect((await outsider.agent.delete(`/chat/groups/${s.groupId}/membership`).set('X-CSRF-Token', outsider.csrf)).status).toBe(404);
      const panel = await outsider.agent.get('/chat/panel').set('HX-Request', 'true');
      expect(panel.text).not.toContain('Ann and Bob');
    }
    const messages = await t.em().find(Message, { conversation: { $in: [s.conversationId, s.groupId] } }, { filters: false });
    expect(messages.map((m) => m.body).sort()).toEqual(['secret group', 'secret one-to-one']);
  });

  it('does not let another company open a one-to-one chat with, or see the details of, its users', async () => {
    const s = await scene();
    expect((await s.m.agent.get(`/chat/users/${s.ann.id}`).set('HX-Request', 'true')).status).toBe(404);
    expect((await s.m.agent.get(`/chat/users/${s.ann.id}/details`)).status).toBe(404);
    expect((await s.m.agent.get('/chat/panel').set('HX-Request', 'true')).text).not.toContain(s.ann.name);
  });

  it('does not let outsiders join a conversation’s pushes, and sends them nothing', async () => {
    const s = await scene();
    const eve = await Page.open(t.url, s.e);
    const mallory = await Page.open(t.url, s.m);
    pages.push(eve, mallory);
    for (const page of [eve, mallory]) {
      expect(await page.join(s.conversationId)).toBe(false);
      expect(await page.join(s.groupId)).toBe(false);
    }
    await send(s.a, s.conversationId, 'after the join attempt');
    await send(s.a, s.groupId, 'group after the join attempt');
    await settle();
    for (const page of [eve, mallory]) {
      const received = page.received();
      expect(received).not.toContain('data-chat-messages');
      expect(received).not.toContain('after the join attempt');
      expect(received).not.toContain('unread-');
      expect(page.notified).toEqual([]);
    }
    // Another company does not even learn who is online here.
    expect(mallory.received()).not.toContain(`presence-${s.ann.id}"`);
    expect(mallory.received()).not.toContain(`presence-${s.bob.id}"`);
  });

  it('keeps a Start-plan company out of the chat, and the panel says which plans have it', async () => {
    const company = await createCompany(t.em(), { plan: 'start', apiAddon: false });
    const [u1, u2] = [await createUser(t.em(), company), await createUser(t.em(), company)];
    const c = await signedIn(t.url, u1.email);
    expect((await c.load('/')).text).toContain('Chat is available in the Professional, Enterprise and Supreme plans');
    expect((await c.agent.get(`/chat/users/${u2.id}`).set('HX-Request', 'true')).status).toBe(403);
  });

  it('takes the chat away over the socket too when a company moves to Start, for the conversations it already had', async () => {
    const company = await createCompany(t.em(), { plan: 'professional' });
    const [ann, bob] = [await createUser(t.em(), company), await createUser(t.em(), company)];
    const a = await signedIn(t.url, ann.email);
    const conversationId = await directConversation(a, bob.id);
    await t.em().getConnection().execute(`update company set plan = 'start' where id = ?`, [company.id]);
    const page = await Page.open(t.url, a);
    pages.push(page);
    expect(await page.join(conversationId)).toBe(false);
    expect(await page.socket.emitWithAck('sync', [conversationId])).toEqual([]);
    const sent = await page.socket.emitWithAck('message:send', { conversationId, clientId: randomUUID(), body: 'after the downgrade' });
    expect(sent).toEqual({ ok: false, status: 403, error: expect.stringContaining('Professional, Enterprise and Supreme') });
    const stored = await t.em().find(Message, { conversation: conversationId }, { filters: false });
    expect(stored).toEqual([]);
  });
});
