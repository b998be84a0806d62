import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { assignedTo, eventually, LivechatCast, livechatCompany } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';

/** A director or an admin gives any open chat of the company to a consultant on duty, by the transfer's own rules. */
describe('Livechat: directors and admins reassign chats', () => {
  let t: TestApp;
  const cast = new LivechatCast(() => t);
  const { visitor, chatId } = cast;
  const on = cast.consultant;
  beforeAll(async () => {
    // No background sweep: a chat put back in the queue stays there until someone gives it out.
    t = await startTestApp({ LIVECHAT_SWEEP_MS: '600000' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    cast.close();
    await t.close();
  });

  const db = () => t.em().getConnection();

  it('moves a consultant’s chat with a note, refuses by the transfer’s rules, and gives a waiting chat from the queue', async () => {
    const { company, key } = await livechatCompany(t, { maxChats: 2 });
    const anna = await on(company, 'livechat', 'Anna Held');
    const v = await visitor(key);
    await v.connect();
    await v.start('Where is my parcel?');
    const id = await chatId(v.chat);
    expect(await assignedTo(t, v.chat)).toBe(anna.user.id);
    const bob = await on(company, 'livechat', 'Bob Free');
    const away = await createUser(t.em(), company, { name: 'Cara Away' });
    await db().execute(`update app_user set livechat_configured = true where id = ?`, [away.id]);
    const director = await signedIn(t.url, (await createUser(t.em(), company, { role: 'director', name: 'Dora Director' })).email);

    // The transcript offers the consultants who could take it now (not the one holding it).
    const page = await director.load(`/livechat/conversations/${id}`);
    expect(page.text).toContain('Give this chat to a consultant');
    expect(page.text).toContain(`<option value="${bob.user.id}">Bob Free (0 open)</option>`);
    expect(page.text).not.toContain(`<option value="${anna.user.id}"`);
    // Refused with the reason and the note kept: someone off duty, the one who has it.
    const offDuty = await director.post(`/livechat/conversations/${id}/transfer`, { to: String(away.id), note: 'keep me' }, { htmx: true });
    expect(offDuty.status).toBe(422);
    expect(offDuty.text).toContain('Cara Away is not on duty now');
    expect(offDuty.text).toContain('keep me');
    const same = await director.post(`/livechat/conversations/${id}/transfer`, { to: String(anna.user.id), note: 'again' }, { htmx: true });
    expect(same.status).toBe(422);
    expect(same.text).toContain('Anna Held already has this chat');

    const annaSeen = anna.page.html.length;
    const moved = await director.post(`/livechat/conversations/${id}/transfer`, { to: String(bob.user.id), note: 'Anna is swamped' }, { htmx: true });
    expect(moved.status).toBe(200);
    expect(moved.headers['hx-redirect']).toBe(`/livechat/conversations/${id}`);
    expect(await assignedTo(t, v.chat)).toBe(bob.user.id);
    // Bob gets it live; Anna's open page says where it went; the visitor sees one neutral line.
    await bob.page.waitFor(new RegExp(`data-livechat-chime="transfer:${id}:[^"]*"[\\s\\S]*href="/livechat/chats/${id}"`));
    await anna.page.waitFor('The chat was given to Bob Free.');
    expect(anna.page.html.slice(annaSeen).join('\n')).not.toContain('You transferred');
    await eventually(() => expect(v.messages.some((m) => m.html.includes('You are now talking to Bob Free.'))).toBe(true));
    for (const pushed of v.messages) expect(pushed.html).not.toContain('swamped');
    const after = await director.load(`/livechat/conversations/${id}`);
    expect(after.text).toContain('Dora Director moved it from Anna Held to Bob Free');
    expect(after.text).toContain('Anna is swamped');
    expect((await bob.client.load(`/livechat/chats/${id}`)).text).toContain('Anna is swamped');
    expect((await anna.client.agent.get(`/livechat/chats/${id}`)).status).toBe(404);

    // At the cap: refused.
    const w = await visitor(key);
    await w.start('second');
    const second = await chatId(w.chat);
    expect(await assignedTo(t, w.chat)).toBe(anna.user.id);
    await db().execute(`update livechat_settings set max_chats = 1 where company_id = ?`, [company.id]);
    const atCap = await director.post(`/livechat/conversations/${second}/transfer`, { to: String(bob.user.id), note: '' }, { htmx: true });
    expect(atCap.status).toBe(422);
    expect(atCap.text).toContain('Bob Free already has as many chats as a consultant takes at once (1)');
    await db().execute(`update livechat_settings set max_chats = 2 where company_id = ?`, [company.id]);

    // A chat waiting in the queue, given to Anna: the visitor behind it moves up, live.
    const q1 = await visitor(key);
    await q1.connect();
    await q1.start('first in line');
    const q2 = await visitor(key);
    await q2.connect();
    await q2.start('second in line');
    await db().execute(
      `update livechat_chat set status = 'waiting', consultant_id = null, answer_deadline = null, queued_at = now() where public_id in (?, ?)`,
      [q1.chat, q2.chat],
    );
    await db().execute(`update livechat_chat set queued_at = queued_at - interval '1 minute' where public_id = ?`, [q1.chat]);
    const queued = await chatId(q1.chat);
    const fromQueue = await director.post(`/livechat/conversations/${queued}/transfer`, { to: String(anna.user.id), note: 'VIP' }, { htmx: true });
    expect(fromQueue.status).toBe(200);
    expect(await assignedTo(t, q1.chat)).toBe(anna.user.id);
    await eventually(() => expect(q2.statuses.some((s) => s.chat === q2.chat && s.html.includes('number 1 in the queue'))).toBe(true));
    await eventually(() => expect(q1.statuses.some((s) => s.chat === q1.chat && !/number \d/.test(s.html))).toBe(true));
    expect((await director.load(`/livechat/conversations/${queued}`)).text).toContain('Dora Director gave it from the queue to Anna Held');
    await anna.page.waitFor(new RegExp(`href="/livechat/chats/${queued}"`));
  });

  it('lets an admin do it too, a consultant only their own chat, and nobody another company’s or a closed chat', async () => {
    const { company, key } = await livechatCompany(t, { maxChats: 3 });
    const anna = await on(company, 'livechat', 'Anna Own');
    const bob = await on(company, 'livechat', 'Bob Other');
    const v = await visitor(key);
    await v.start('one');
    const id = await chatId(v.chat);
    const holder = await assignedTo(t, v.chat);
    const [mine, other] = holder === anna.user.id ? [anna, bob] : [bob, anna];

    // The other consultant: not from the conversations (403), and not someone else's chat from its page (404).
    expect((await other.client.post(`/livechat/conversations/${id}/transfer`, { to: String(other.user.id), note: '' })).status).toBe(403);
    expect((await other.client.post(`/livechat/chats/${id}/transfer`, { to: String(other.user.id), note: '' })).status).toBe(404);
    expect(await assignedTo(t, v.chat)).toBe(mine.user.id);
    // A user neither flagged for Livechat nor a director or admin: 403.
    const plain = await signedIn(t.url, (await createUser(t.em(), company)).email);
    expect((await plain.post(`/livechat/conversations/${id}/transfer`, { to: String(other.user.id), note: '' })).status).toBe(403);
    // Another company's admin: a 404, and nothing moves; a guessed id too.
    const elsewhere = await livechatCompany(t);
    const outsider = await signedIn(t.url, (await createUser(t.em(), elsewhere.company, { role: 'admin' })).email);
    expect((await outsider.post(`/livechat/conversations/${id}/transfer`, { to: String(other.user.id), note: '' })).status).toBe(404);
    expect((await outsider.agent.get(`/livechat/conversations/${id}`)).status).toBe(404);
    const admin = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    expect((await admin.post(`/livechat/conversations/999999999/transfer`, { to: String(other.user.id), note: '' })).status).toBe(404);
    // A bad target is the form again, not a 500.
    const bad = await admin.post(`/livechat/conversations/${id}/transfer`, { to: 'abc', note: 'x'.repeat(1001) }, { htmx: true });
    expect(bad.status).toBe(422);
    expect(await assignedTo(t, v.chat)).toBe(mine.user.id);
    // The company's admin may.
    const moved = await admin.post(`/livechat/conversations/${id}/transfer`, { to: String(other.user.id), note: 'balance' }, { htmx: true });
    expect(moved.status).toBe(200);
    expect(await assignedTo(t, v.chat)).toBe(other.user.id);
    // A closed chat is not given to anyone, and has no form.
    await other.client.load(`/livechat/chats/${id}`);
    expect((await other.client.post(`/livechat/chats/${id}/close`)).status).toBeLessThan(400);
    expect((await admin.load(`/livechat/conversations/${id}`)).text).not.toContain('Give this chat to a consultant');
    expect((await admin.post(`/livechat/conversations/${id}/transfer`, { to: String(mine.user.id), note: '' })).status).toBe(404);
  });
});
