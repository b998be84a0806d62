import { directConversation, send } from '../support/chat';
import { createCompany, createUser, insertMessages } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/** A message further back than a conversation opens at is read among its neighbours, by members only. */
describe('a message read around it', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  async function scene(after: number) {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company, { name: 'Ann Around' });
    const bob = await createUser(t.em(), company, { name: 'Bob Around' });
    const a = await signedIn(t.url, ann.email);
    const conversationId = await directConversation(a, bob.id);
    await insertMessages(t.em(), { companyId: company.id, conversationId, authorId: bob.id }, 40, { label: 'before', firstSeq: 1 });
    const needle = await send(a, conversationId, 'the <b>needle</b> message');
    const [{ id }] = await t.em().getConnection().execute<{ id: number }[]>(`select id from message where client_id = ?`, [needle.clientId]);
    await insertMessages(t.em(), { companyId: company.id, conversationId, authorId: bob.id }, after, { label: 'after', firstSeq: 100 });
    return { company, ann, bob, a, conversationId, id: Number(id), clientId: needle.clientId };
  }

  it('sends a hit too far back for the live conversation to the page around it, which shows it among its neighbours', async () => {
    const s = await scene(600);
    const opened = await s.a.agent.get(`/chat/conversations/${s.conversationId}?at=${s.id}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe(`/chat/conversations/${s.conversationId}/around/${s.id}`);
    const page = await s.a.agent.get(opened.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Earlier in Bob Around');
    expect(page.text).toContain(`id="m-${s.clientId}"`);
    expect(page.text).toContain('the &lt;b&gt;needle&lt;/b&gt; message');
    // Fifteen on each side, and links further back, further on, and to the live end.
    expect(page.text).toContain('>before 26<');
    expect(page.text).not.toContain('>before 25<');
    expect(page.text).toContain('>after 15<');
    expect(page.text).not.toContain('>after 16<');
    const earlier = /rel="prev" href="([^"]+)"/.exec(page.text)![1];
    const later = /rel="next" href="([^"]+)"/.exec(page.text)![1];
    expect((await s.a.agent.get(earlier)).text).toContain('>before 11<');
    expect((await s.a.agent.get(later)).text).toContain('>after 30<');
    expect(page.text).toContain(`href="/chat/conversations/${s.conversationId}">Go to the latest messages`);
  });

  it('opens a recent hit in the live conversation itself', async () => {
    const s = await scene(20);
    const opened = await s.a.agent.get(`/chat/conversations/${s.conversationId}?at=${s.id}`);
    expect(opened.status).toBe(200);
    expect(opened.text).toContain(`id="m-${s.clientId}"`);
  });

  it('shows nothing to a non-member or another company, and nothing for a message of another conversation', async () => {
    const s = await scene(600);
    const cid = await signedIn(t.url, (await createUser(t.em(), s.company)).email);
    expect((await cid.agent.get(`/chat/conversations/${s.conversationId}/around/${s.id}`)).status).toBe(404);
    expect((await cid.agent.get(`/chat/conversations/${s.conversationId}?at=${s.id}`)).status).toBe(404);
    const other = await scene(0);
    expect((await other.a.agent.get(`/chat/conversations/${s.conversationId}/around/${s.id}`)).status).toBe(404);
    // A message id that is real but belongs to another conversation the user is in.
    expect((await s.a.agent.get(`/chat/conversations/${s.conversationId}/around/${other.id}`)).status).toBe(404);
    for (const bad of ['0', '-1', 'abc', '99999999999999999999', '1e3']) {
      expect((await s.a.agent.get(`/chat/conversations/${s.conversationId}/around/${bad}`)).status).toBe(404);
    }
  });
});
