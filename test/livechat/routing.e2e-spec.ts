import { Page, settle } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { assignedTo, chatRows, choose, eventually, LivechatCast, livechatCompany, Visitor } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';

/** Routing: who gets a visitor's chat, and what happens when they do not answer or go away. */
describe('Livechat routing', () => {
  let t: TestApp;
  const cast = new LivechatCast(() => t);
  const { visitor } = cast;
  const on = cast.consultant;
  beforeAll(async () => {
    t = await startTestApp({ LIVECHAT_SWEEP_MS: '200', PRESENCE_GRACE_MS: '1000' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    cast.close();
    await t.close();
  });

  it('gives a new chat to the consultant with the fewest open chats, then to the one who waited longest, never above the cap', async () => {
    const { company, key } = await livechatCompany(t, { maxChats: 2 });
    const anna = await on(company);
    const bob = await on(company, 'livechat-callback');
    const chats: Visitor[] = [];
    for (let i = 0; i < 5; i++) {
      const v = await visitor(key);
      expect((await v.start(`Question ${i}`)).status).toBe(200);
      chats.push(v);
    }
    const owners = await Promise.all(chats.map((v) => assignedTo(t, v.chat)));
    // Alternating (fewest open, then longest since the last one), two each, the fifth waits.
    expect(owners.slice(0, 4).filter((o) => o === anna.user.id)).toHaveLength(2);
    expect(owners.slice(0, 4).filter((o) => o === bob.user.id)).toHaveLength(2);
    expect(owners[0]).not.toBe(owners[1]);
    expect(owners[4]).toBeNull();
    // The fifth visitor is told their place in the queue, and sees nothing of the others.
    const fifth = await chats[4].start('still here?');
    expect(fifth.text).toContain('number 1 in the queue');
    const sixth = await visitor(key);
    expect((await sixth.start('me too')).text).toContain('number 2 in the queue');
    // Anna's panel section lists her two chats, and the push that brought them chimed.
    await anna.page.waitFor(/id="livechat-section"[^>]*data-livechat-chime/);
    const section = await anna.client.agent.get('/livechat/section').set('HX-Request', 'true');
    expect(section.text.match(/href="\/livechat\/chats\/\d+"/g)).toHaveLength(2);
  });

  it('moves an unanswered chat on to the next consultant after the set seconds, and an answer stops it', async () => {
    const { company, key } = await livechatCompany(t);
    await t.em().getConnection().execute(`update livechat_settings set reroute_seconds = 1 where company_id = ?`, [company.id]);
    const anna = await on(company);
    const v = await visitor(key);
    await v.connect();
    await v.start('anyone?');
    expect(await assignedTo(t, v.chat)).toBe(anna.user.id);
    const bob = await on(company);
    // Anna lets it pass: Bob gets it, Anna's page is told it moved on, and the visitor hears nothing of it.
    await eventually(async () => expect(await assignedTo(t, v.chat)).toBe(bob.user.id), 5000);
    await anna.page.waitFor('moved on to another consultant');
    await bob.page.waitFor(/data-livechat-chime="new:/);
    expect(v.messages).toHaveLength(1); // only the visitor's own first message
    // Bob answers: accepted, it stays with him past the deadline.
    const [{ id }] = await t.em().getConnection().execute<{ id: number }[]>(`select id from livechat_chat where public_id = ?`, [v.chat]);
    await bob.client.load(`/livechat/chats/${id}`);
    expect((await bob.client.post(`/livechat/chats/${id}/messages`, { clientId: crypto.randomUUID(), body: 'Hi, Bob here' }, { htmx: true })).status).toBe(200);
    await settle(1800);
    expect(await assignedTo(t, v.chat)).toBe(bob.user.id);
    expect((await chatRows(t, company.id))[0].status).toBe('active');
  });

  it('moves a chat on at once when its consultant leaves the Livechat statuses or closes their last page', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const v = await visitor(key);
    await v.start('hello');
    expect(await assignedTo(t, v.chat)).toBe(anna.user.id);
    const bob = await on(company);
    await choose(anna.client, 'available');
    await eventually(async () => expect(await assignedTo(t, v.chat)).toBe(bob.user.id), 2000);
    // Bob goes from one page to the next: a moment without a socket does not take his chat away.
    bob.page.close();
    await settle(300);
    const next = await Page.open(t.url, bob.client);
    await settle(1500);
    const [kept] = await t.em().getConnection().execute(`select consultant_id, passed_by from livechat_chat where public_id = ?`, [v.chat]);
    expect(kept).toEqual({ consultant_id: bob.user.id, passed_by: [anna.user.id] }); // never taken from Bob
    // He closes his last page: nobody else is on duty, so the chat waits (first in line) until someone is.
    next.close();
    await eventually(async () => expect((await chatRows(t, company.id))[0].status).toBe('waiting'), 3000);
    const carol = await on(company);
    await eventually(async () => expect(await assignedTo(t, v.chat)).toBe(carol.user.id), 2000);
  });

  it('gives nothing to a user without the Livechat configuration or without a consultant status', async () => {
    const { company, key } = await livechatCompany(t);
    const plain = await on(company, 'available');
    const busy = await on(company, 'busy');
    const v = await visitor(key);
    // Nobody on duty: the offline form, and a start stores the message for the company instead of a chat.
    expect((await v.get('state')).text).toContain('/api/offline');
    const res = await v.start('is anyone there?');
    expect(res.text).toContain('your message was left');
    expect(await chatRows(t, company.id)).toHaveLength(0);
    const [left] = await t.em().getConnection().execute<{ body: string }[]>(`select body from livechat_left_message where company_id = ?`, [company.id]);
    expect(left.body).toBe('is anyone there?');
    // The company admin reads it; nobody else of the company, and no other company, does.
    const admin = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    const list = await admin.load('/livechat/left-messages');
    expect(list.status).toBe(200);
    expect(list.text).toContain('is anyone there?');
    expect((await plain.client.agent.get('/livechat/left-messages')).status).toBe(403);
    const elsewhere = await livechatCompany(t);
    const otherAdmin = await signedIn(t.url, (await createUser(t.em(), elsewhere.company, { role: 'admin' })).email);
    expect((await otherAdmin.load('/livechat/left-messages')).text).not.toContain('is anyone there?');
    // A user in the Livechat status whose flag was taken away is not on duty either.
    const former = await on(company);
    await t.em().getConnection().execute(`update app_user set livechat_configured = false where id = ?`, [former.user.id]);
    expect((await v.get('state')).text).toContain('/api/offline');
    expect((await former.client.agent.get('/livechat/section')).status).toBe(403);
    const stranger = await createUser(t.em(), company);
    expect((await (await signedIn(t.url, stranger.email)).agent.get('/livechat/section')).status).toBe(403);
    for (const c of [plain, busy]) expect((await c.client.agent.get('/livechat/section')).text).toContain('Choose the status Livechat consultant');
  });

  it('tells waiting visitors their place live as the queue moves', async () => {
    const { company, key } = await livechatCompany(t, { maxChats: 1 });
    const anna = await on(company);
    const first = await visitor(key);
    await first.start('one');
    const second = await visitor(key);
    await second.connect();
    await second.start('two');
    const third = await visitor(key);
    await third.connect();
    expect((await third.start('three')).text).toContain('number 2 in the queue');
    // Bob comes on duty: the second gets him, the third moves up to first, and each is told.
    await on(company);
    await eventually(() => expect(third.statuses.some((s) => s.html.includes('number 1 in the queue'))).toBe(true));
    await eventually(() => expect(second.statuses.some((s) => !/number \d/.test(s.html))).toBe(true));
    expect(third.statuses.every((s) => s.chat === third.chat)).toBe(true);
    expect(await assignedTo(t, first.chat)).toBe(anna.user.id);
  });
});
