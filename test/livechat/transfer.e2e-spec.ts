import { randomUUID } from 'node:crypto';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { assignedTo, eventually, LivechatCast, livechatCompany } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';

/** A consultant hands a chat to a colleague with a note: who gets what, and who is refused. */
describe('Livechat transfer', () => {
  let t: TestApp;
  const cast = new LivechatCast(() => t);
  const { visitor, chatId } = cast;
  const on = cast.consultant;
  beforeAll(async () => {
    t = await startTestApp({ LIVECHAT_SWEEP_MS: '200' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    cast.close();
    await t.close();
  });

  const db = () => t.em().getConnection();

  it('gives the chat to the colleague live with the note; the old consultant loses it and can no longer post; the visitor sees one neutral line', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company, 'livechat', 'Anna Nowak');
    const v = await visitor(key);
    await v.connect();
    await v.start('My invoice has a wrong address');
    const id = await chatId(v.chat);
    expect(await assignedTo(t, v.chat)).toBe(anna.user.id);
    const bob = await on(company, 'livechat', 'Bob Brown');
    const page = await anna.client.load(`/livechat/chats/${id}`);
    expect(page.text).toContain('Transfer to another consultant');
    expect(page.text).toContain(`<option value="${bob.user.id}">Bob Brown (0 open)</option>`);
    await anna.client.post(`/livechat/chats/${id}/messages`, { clientId: randomUUID(), body: 'Let me look' }, { htmx: true });
    await eventually(() => expect(v.messages.some((m) => m.html.includes('Let me look'))).toBe(true));
    const annaSeen = anna.page.html.length;

    const res = await anna.client.post(
      `/livechat/chats/${id}/transfer`,
      { to: String(bob.user.id), note: 'Invoice FV/12: billing knows the new address' },
      { htmx: true },
    );
    expect(res.status).toBe(200);
    expect(res.headers['hx-redirect']).toBe('/');

    // Bob's panel gets it at once, with the chime; Anna's loses it and her open page says where it went.
    await bob.page.waitFor(new RegExp(`data-livechat-chime="transfer:${id}:[^"]*"[\\s\\S]*href="/livechat/chats/${id}"`));
    await anna.page.waitFor('You transferred this chat to Bob Brown.');
    const annaSection = anna.page.html.slice(annaSeen).filter((h) => h.includes('id="livechat-section"'));
    expect(annaSection.length).toBeGreaterThan(0);
    expect(annaSection[annaSection.length - 1]).not.toContain(`/livechat/chats/${id}"`);
    // Bob sees the note and the conversation so far; he accepts by answering.
    const bobPage = await bob.client.load(`/livechat/chats/${id}`);
    expect(bobPage.status).toBe(200);
    expect(bobPage.text).toContain('Anna Nowak transferred it to Bob Brown');
    expect(bobPage.text).toContain('Invoice FV/12: billing knows the new address');
    expect(bobPage.text).toContain('Let me look');
    expect(bobPage.text).toContain('You are now talking to Bob Brown.');
    // Anna can no longer read or write it.
    expect((await anna.client.agent.get(`/livechat/chats/${id}`)).status).toBe(404);
    const late = await anna.client.post(`/livechat/chats/${id}/messages`, { clientId: randomUUID(), body: 'one more thing' }, { htmx: true });
    expect(late.status).toBe(404);
    expect(late.text).toContain('no longer yours');
    expect((await anna.client.post(`/livechat/chats/${id}/transfer`, { to: String(anna.user.id), note: '' })).status).toBe(404);

    // The visitor: the neutral line, live and in a catch-up, and never the note.
    await eventually(() => expect(v.messages.some((m) => m.html.includes('You are now talking to Bob Brown.'))).toBe(true));
    const caughtUp = await v.get(`chats/${v.chat}/messages?after=0`);
    expect(caughtUp.text).toContain('You are now talking to Bob Brown.');
    const annaBefore = anna.page.html.length;
    await bob.client.post(`/livechat/chats/${id}/messages`, { clientId: randomUUID(), body: 'Bob here, fixed it' }, { htmx: true });
    await eventually(() => expect(v.messages.some((m) => m.html.includes('Bob here, fixed it'))).toBe(true));
    await v.send('Thanks Bob');
    await bob.page.waitFor('Thanks Bob');
    for (const pushed of [...v.messages.map((m) => m.html), ...v.statuses.map((s) => s.html), caughtUp.text]) expect(pushed).not.toContain('FV/12');
    expect(anna.page.html.slice(annaBefore).join('\n')).not.toMatch(/Bob here, fixed it|Thanks Bob/);

    // The audit: who transferred to whom, when, with what; both handled it; Bob's answer accepted it.
    const [audit] = await db().execute(`select from_user_id, to_user_id, note, created_at from livechat_transfer where chat_id = ?`, [id]);
    expect(audit).toMatchObject({ from_user_id: anna.user.id, to_user_id: bob.user.id, note: 'Invoice FV/12: billing knows the new address' });
    expect(Number.isNaN(Date.parse(String(audit.created_at)))).toBe(false);
    const [chat] = await db().execute(`select consultant_id, status, handled_by from livechat_chat where id = ?`, [id]);
    expect(chat.consultant_id).toBe(bob.user.id);
    expect(chat.status).toBe('active');
    expect([...chat.handled_by].sort()).toEqual([anna.user.id, bob.user.id].sort());
  });

  it('refuses a colleague at the cap, off duty, of another company or no one at all, saying why and keeping the note', async () => {
    const { company, key } = await livechatCompany(t, { maxChats: 1 });
    const anna = await on(company, 'livechat', 'Anna Full');
    const first = await visitor(key);
    await first.start('one');
    const bob = await on(company, 'livechat', 'Bob Busy');
    const second = await visitor(key);
    await second.start('two');
    expect(await assignedTo(t, second.chat)).toBe(bob.user.id);
    const carol = await on(company, 'available', 'Carol Away');
    const id = await chatId(first.chat);
    const page = await anna.client.load(`/livechat/chats/${id}`);
    expect(page.text).toContain('No other consultant is on duty with room for another chat now.');

    const atCap = await anna.client.post(`/livechat/chats/${id}/transfer`, { to: String(bob.user.id), note: 'kept note' }, { htmx: true });
    expect(atCap.status).toBe(422);
    expect(atCap.text).toContain('Bob Busy already has as many chats as a consultant takes at once (1): choose someone else.');
    expect(atCap.text).toContain('kept note');
    const offDuty = await anna.client.post(`/livechat/chats/${id}/transfer`, { to: String(carol.user.id), note: 'kept note' }, { htmx: true });
    expect(offDuty.status).toBe(422);
    expect(offDuty.text).toContain('Carol Away is not on duty now');
    const elsewhere = await livechatCompany(t);
    const stranger = await on(elsewhere.company, 'livechat', 'Stranger');
    const foreign = await anna.client.post(`/livechat/chats/${id}/transfer`, { to: String(stranger.user.id), note: 'x' }, { htmx: true });
    expect(foreign.status).toBe(422);
    expect(foreign.text).toContain('Choose a consultant of your company from the list.');
    expect((await anna.client.post(`/livechat/chats/${id}/transfer`, { to: String(anna.user.id) }, { htmx: true })).status).toBe(422);
    const garbage = await anna.client.post(`/livechat/chats/${id}/transfer`, { to: 'abc', note: 'n'.repeat(1001) }, { htmx: true });
    expect(garbage.status).toBe(422);
    expect(garbage.text).toContain('This is too long.');
    // Without JavaScript the whole page comes back, the form in it.
    const plain = await anna.client.post(`/livechat/chats/${id}/transfer`, { to: String(bob.user.id), note: 'kept note' });
    expect(plain.status).toBe(422);
    expect(plain.text).toContain('<h1>Livechat: ');
    expect(await assignedTo(t, first.chat)).toBe(anna.user.id);
    expect((await db().execute(`select count(*)::int as n from livechat_transfer where company_id = ?`, [company.id]))[0].n).toBe(0);
    // Bob closes his: now he has room, and the transfer goes through.
    await bob.client.load(`/livechat/chats/${await chatId(second.chat)}`);
    await bob.client.post(`/livechat/chats/${await chatId(second.chat)}/close`);
    expect((await anna.client.post(`/livechat/chats/${id}/transfer`, { to: String(bob.user.id), note: '' }, { htmx: true })).status).toBe(200);
    expect(await assignedTo(t, first.chat)).toBe(bob.user.id);
  });

  it('lets nobody else transfer or see the chat: another consultant, a plain user, another company, a guessed id', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company, 'livechat', 'Anna Holder');
    const v = await visitor(key);
    await v.start('private matter');
    const id = await chatId(v.chat);
    const bob = await on(company, 'livechat', 'Bob Colleague');
    const plain = await signedIn(t.url, (await createUser(t.em(), company)).email);
    await plain.load('/');
    const elsewhere = await livechatCompany(t);
    const outsider = await on(elsewhere.company, 'livechat', 'Outsider');
    const otherAdmin = await signedIn(t.url, (await createUser(t.em(), elsewhere.company, { role: 'admin' })).email);
    await otherAdmin.load('/');
    await bob.client.load('/');
    await outsider.client.load('/');
    for (const who of [bob.client, outsider.client, otherAdmin]) {
      expect((await who.post(`/livechat/chats/${id}/transfer`, { to: String(who === bob.client ? anna.user.id : bob.user.id), note: 'mine now' })).status).toBe(
        who === otherAdmin ? 403 : 404,
      );
      expect((await who.agent.get(`/livechat/chats/${id}`)).status).toBe(who === otherAdmin ? 403 : 404);
    }
    expect((await plain.post(`/livechat/chats/${id}/transfer`, { to: String(bob.user.id) })).status).toBe(403);
    await anna.client.load('/');
    expect((await anna.client.post(`/livechat/chats/999999/transfer`, { to: String(bob.user.id) })).status).toBe(404);
    expect((await anna.client.post(`/livechat/chats/abc/transfer`, { to: String(bob.user.id) })).status).toBe(404);
    expect(await assignedTo(t, v.chat)).toBe(anna.user.id);
    // And no push about it reached anyone but Anna.
    for (const p of [bob.page, outsider.page]) expect(p.received()).not.toContain(`/livechat/chats/${id}"`);
  });
});
