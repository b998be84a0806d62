import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { chatRows, eventually, LivechatCast, livechatCompany } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A visitor who left the queue: their waiting chat is closed as missed by the routing sweep once they have no
 * widget open and were not seen for LIVECHAT_ABANDON_SECONDS (1 here), so the visitors behind them move up.
 */
describe('Livechat: abandoned waiting chats', () => {
  let t: TestApp;
  const cast = new LivechatCast(() => t);
  const { visitor, chatId } = cast;
  beforeAll(async () => {
    t = await startTestApp({ LIVECHAT_SWEEP_MS: '200', LIVECHAT_ABANDON_SECONDS: '1' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    cast.close();
    await t.close();
  });

  it('closes the chat of a visitor who left the queue as missed, moves the others up, and a return starts a new chat', async () => {
    const { company, key } = await livechatCompany(t, { maxChats: 1, nameField: 'optional' });
    await cast.consultant(company);
    const first = await visitor(key);
    await first.start('taken at once');
    // Three wait: the first of them keeps a widget open however long; the second leaves; the third stays.
    const patient = await visitor(key);
    await patient.connect();
    expect((await patient.start('I will wait', { name: 'Pat Patient' })).text).toContain('number 1 in the queue');
    const leaver = await visitor(key);
    await leaver.connect();
    expect((await leaver.start('anyone?', { name: 'Lea Leaver' })).text).toContain('number 2 in the queue');
    const behind = await visitor(key);
    await behind.connect();
    expect((await behind.start('me too', { name: 'Ben Behind' })).text).toContain('number 3 in the queue');
    // The patient visitor's last request is older than the setting: only their open widget keeps them.
    await t.em().getConnection().execute(`update livechat_visitor set last_seen_at = now() - interval '1 hour' where company_id = ?`, [company.id]);

    leaver.close();
    const missedId = await chatId(leaver.chat);
    await eventually(async () => expect((await chatRows(t, company.id)).find((r) => r.public_id === leaver.chat)?.status).toBe('closed'));
    // The one behind is told their new place live; the patient one is still waiting, first.
    await eventually(() => expect(behind.statuses.some((s) => s.chat === behind.chat && s.html.includes('number 2 in the queue'))).toBe(true));
    const rows = await chatRows(t, company.id);
    expect(rows.find((r) => r.public_id === patient.chat)?.status).toBe('waiting');
    expect(rows.find((r) => r.public_id === behind.chat)?.status).toBe('waiting');
    expect(patient.statuses.some((s) => s.html.includes('number 1 in the queue'))).toBe(true);
    expect(rows.find((r) => r.public_id === first.chat)?.status).toBe('assigned');

    // "Livechat conversations" shows it as missed (ended without a consultant's answer).
    const director = await signedIn(t.url, (await createUser(t.em(), company, { role: 'director' })).email);
    const missed = await director.load('/livechat/conversations?state=missed');
    expect([...missed.text.matchAll(/<tr data-chat="(\d+)">/g)].map((m) => Number(m[1]))).toEqual([missedId]);
    expect(missed.text).toContain('Lea Leaver');
    const waiting = await director.load('/livechat/conversations?state=waiting');
    expect(waiting.text).toContain('Pat Patient');
    expect(waiting.text).not.toContain('Lea Leaver');

    // Back later: the widget offers a new chat, which queues behind the others.
    const state = await leaver.get('state');
    expect(state.text).toContain('Start the chat');
    const again = await leaver.start('back again');
    expect(again.text).toContain('number 3 in the queue');
    expect(leaver.chat).not.toBe((await chatRows(t, company.id)).find((r) => r.status === 'closed')?.public_id);
    expect((await chatRows(t, company.id)).filter((r) => r.status === 'waiting')).toHaveLength(3);
  });
});
