import { createCompany } from '../support/factories';
import { eventually, LivechatCast, livechatCompany, Visitor } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';

/** A chat's end and rating, the visitor limits, retention, and the widget's language. */
describe('Livechat: closing, rating, limits, retention, language', () => {
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

  it('lets the consultant close a chat: the visitor is told and rates it once, and the freed place goes to the queue', async () => {
    const { company, key } = await livechatCompany(t, { maxChats: 1 });
    const anna = await on(company);
    const v = await visitor(key);
    await v.connect();
    await v.start('first');
    const waiting = await visitor(key);
    await waiting.connect();
    expect((await waiting.start('second')).text).toContain('number 1 in the queue');
    const id = await chatId(v.chat);
    await anna.client.load(`/livechat/chats/${id}`);
    // Someone else's close is a 404; the rating of an open chat too.
    expect((await v.post(`chats/${v.chat}/rating`, { rating: '5' })).status).toBe(404);
    expect((await anna.client.post(`/livechat/chats/${id}/close`)).status).toBe(303);
    await eventually(() => expect(v.statuses.some((s) => s.html.includes('The chat has ended') && s.html.includes('name="rating"'))).toBe(true));
    // The next in line gets Anna at once.
    await eventually(async () => {
      const [row] = await t
        .em()
        .getConnection()
        .execute<{ consultant_id: number }[]>(`select consultant_id from livechat_chat where public_id = ?`, [waiting.chat]);
      expect(row.consultant_id).toBe(anna.user.id);
    });
    // A closed chat takes no more messages, and is gone from Anna's reach.
    expect((await v.send('hello?')).status).toBe(404);
    expect((await anna.client.agent.get(`/livechat/chats/${id}`)).status).toBe(404);
    // The rating: a bad one comes back with the comment kept, a good one is stored once.
    const bad = await v.post(`chats/${v.chat}/rating`, { rating: '9', comment: 'kept comment' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('kept comment');
    expect((await v.post(`chats/${v.chat}/rating`, { rating: '4', comment: 'Quick and kind' })).text).toContain('Thank you for your rating');
    await v.post(`chats/${v.chat}/rating`, { rating: '1' });
    const [row] = await t.em().getConnection().execute(`select rating, rating_comment from livechat_chat where id = ?`, [id]);
    expect(row).toEqual({ rating: 4, rating_comment: 'Quick and kind' });
    // Next time the widget offers a new chat.
    expect((await v.get('state')).text).toContain('Start the chat');
  });

  it('limits a visitor’s messages and an address’s new chats, saying why and when to retry, with the text kept', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const v = await visitor(key);
    await v.start('hi');
    let refused;
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await v.send(`message ${i}`);
      if (res.status === 429) refused = res;
    }
    expect(refused).toBeDefined();
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused!.text).toMatch(/too fast\. Try again in \d+ seconds/);
    // New chats from one address: the start form comes back with the message and says when.
    let blocked;
    for (let i = 0; i < 40 && !blocked; i++) {
      const res = await (await visitor(key)).start(`hello ${i}`);
      if (res.status === 429) blocked = res;
    }
    expect(blocked).toBeDefined();
    expect(blocked!.text).toMatch(/Too many chats were started from your address\. Try again in \d+ seconds/);
    expect(blocked!.text).toContain('hello ');
    // More tokens from the address than a person needs are refused too.
    let tokens = 0;
    while (
      tokens < 100 &&
      (await new Visitor(t.url, key).issue().then(
        () => true,
        () => false,
      ))
    )
      tokens++;
    expect(tokens).toBeLessThan(100);
  });

  it('deletes visitors not seen for longer than the retention, with their chats, and keeps the others', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const old = await visitor(key);
    await old.start('long ago');
    await t.em().getConnection().execute(`update livechat_chat set status = 'closed' where public_id = ?`, [old.chat]);
    await t.em().getConnection().execute(`update livechat_settings set retention_days = 30 where company_id = ?`, [company.id]);
    await t
      .em()
      .getConnection()
      .execute(
        `update livechat_visitor set last_seen_at = now() - interval '31 days' where token_hash is not null and id = (select visitor_id from livechat_chat where public_id = ?)`,
        [old.chat],
      );
    const recent = await visitor(key);
    await recent.start('just now');
    const routing = t.app.get((await import('../../src/livechat/routing.service')).LivechatRouting);
    await routing.purge();
    const rows = await t
      .em()
      .getConnection()
      .execute<{ body: string }[]>(`select m.body from livechat_message m join livechat_chat c on c.id = m.chat_id where c.company_id = ? order by m.id`, [
        company.id,
      ]);
    expect(rows.map((r) => r.body)).toEqual(['just now']);
    expect((await old.get('state')).status).toBe(200); // a forgotten token is nobody: the widget starts afresh
  });

  it('speaks the browser’s language', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const v = await visitor(key);
    const pl = await v.get('state').set('Accept-Language', 'pl-PL,pl;q=0.9,en;q=0.5');
    expect(pl.text).toContain('Rozpocznij czat');
    const widget = await (await import('supertest')).default(t.url).get(`/livechat/${key}/widget`).set('Accept-Language', 'pl');
    expect(widget.text).toContain('<html lang="pl">');
    const en = await v.get('state').set('Accept-Language', 'de-DE,en;q=0.5');
    expect(en.text).toContain('Start the chat');
  });
});
