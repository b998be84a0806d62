import { directConversation, send } from '../support/chat';
import { createCompany, createUser, insertMessages } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/** What a catch-up answers; the churn test drives it under drops and late pushes (churn.e2e-spec.ts). */
describe('catching up', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  it('answers the changes after a sequence, the sequence they bring the page to, and the read watermark', async () => {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company);
    const bob = await createUser(t.em(), company);
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    const conversationId = await directConversation(a, bob.id);
    const first = await send(a, conversationId, 'first');
    await send(b, conversationId, 'a reply: Bob has read the first');
    await a.agent.patch(`/chat/messages/${first.id}`).set('X-CSRF-Token', a.csrf).type('form').send({ body: 'first, edited' });
    const res = await b.agent.get(`/chat/conversations/${conversationId}/changes?since=1`).set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`^\\s*<ol data-chat-changes="${conversationId}" data-seq="3" data-read="${ann.id}:${first.id}:\\d+">`));
    // The reply (seq 2) and the first message as it is now (edited, seq 3); nothing older.
    expect([...res.text.matchAll(/data-seq="(\d+)"/g)].map((m) => m[1])).toEqual(['3', '2', '3']);
    expect(res.text).toContain('first, edited');
    expect((await b.agent.get(`/chat/conversations/${conversationId}/changes?since=3`).set('HX-Request', 'true')).text).toMatch(/data-seq="3"[^>]*><\/ol>/);
  });

  it('asks the page to draw the window afresh when more was missed than a catch-up carries', async () => {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company);
    const bob = await createUser(t.em(), company);
    const a = await signedIn(t.url, ann.email);
    const conversationId = await directConversation(a, bob.id);
    const em = t.em();
    // 501 changes since sequence 0, written directly to keep the test quick.
    await insertMessages(em, { companyId: company.id, conversationId, authorId: ann.id }, 501);
    await em.getConnection().execute(`update conversation set change_seq = 501 where id = ?`, [conversationId]);
    const b = await signedIn(t.url, bob.email);
    const tooMuch = await b.agent.get(`/chat/conversations/${conversationId}/changes?since=0`).set('HX-Request', 'true');
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.headers['hx-trigger']).toBe('chat:reload');
    expect((await b.agent.get(`/chat/conversations/${conversationId}/changes?since=1`)).status).toBe(200);
  });

  it('tells a page of someone no longer in the conversation to close its window', async () => {
    const company = await createCompany(t.em());
    const [ann, bob, cid] = [await createUser(t.em(), company), await createUser(t.em(), company), await createUser(t.em(), company)];
    const a = await signedIn(t.url, ann.email);
    const conversationId = await directConversation(a, bob.id);
    const c = await signedIn(t.url, cid.email);
    const gone = await c.agent.get(`/chat/conversations/${conversationId}/changes?since=0`).set('HX-Request', 'true');
    expect(gone.status).toBe(404);
    expect(gone.headers['hx-trigger']).toBe('chat:gone');
    expect(gone.text).not.toContain('data-message-id');
  });
});
