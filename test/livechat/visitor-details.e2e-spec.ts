import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createCompany } from '../support/factories';
import { choose, eventually, LivechatCast, livechatCompany, ORIGIN } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** What the consultant sees of the visitor: the page they are on (live), where they came from, the browser, earlier chats. */
describe('Livechat visitor details', () => {
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

  it('shows the page the visitor is on, kept current as they move, with the referrer and the browser, only to the chat’s consultant', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company, 'livechat', 'Anna Details');
    const v = await visitor(key);
    await v.start('Is this in stock?', { name: 'Vera Visitor', email: 'vera@example.com' });
    const id = await chatId(v.chat);
    const report = (page: Record<string, string>) => v.post('page', page).set('User-Agent', CHROME);
    expect((await report({ url: `${ORIGIN}/shoes/red?size=42`, title: 'Red shoes', referrer: 'https://www.google.com/search?q=red+shoes' })).status).toBe(204);
    const bob = await on(company, 'livechat', 'Bob Other');

    const page = await anna.client.load(`/livechat/chats/${id}`);
    expect(page.text).toContain('About the visitor');
    expect(page.text).toContain('vera@example.com');
    expect(page.text).toContain(`href="${ORIGIN}/shoes/red?size=42"`);
    expect(page.text).toContain('Red shoes');
    expect(page.text).toContain('https://www.google.com/search?q=red+shoes');
    expect(page.text).toContain('Chrome 131 · Windows 10');

    // The visitor moves on (a link within the shop): Anna's page gets the new page live, the outside referrer stays.
    await report({ url: `${ORIGIN}/checkout`, title: 'Checkout', referrer: `${ORIGIN}/shoes/red?size=42` });
    const pushed = await anna.page.waitFor(new RegExp(`id="lc-visitor-${id}"[\\s\\S]*Checkout`));
    expect(pushed).toContain('hx-swap-oob="true"');
    expect(pushed).toContain('https://www.google.com/search?q=red+shoes');
    expect((await anna.client.load(`/livechat/chats/${id}`)).text).toContain(`href="${ORIGIN}/checkout"`);
    // The same page again tells nobody; Bob, who does not hold the chat, never hears of it and cannot open it.
    const count = anna.page.html.length;
    await report({ url: `${ORIGIN}/checkout`, title: 'Checkout', referrer: `${ORIGIN}/shoes/red?size=42` });
    await new Promise((r) => setTimeout(r, 300));
    expect(anna.page.html.slice(count).some((h) => h.includes('lc-visitor'))).toBe(false);
    expect(bob.page.received()).not.toContain('lc-visitor');
    expect((await bob.client.agent.get(`/livechat/chats/${id}`)).status).toBe(404);
  });

  it('takes a page only from the visitor’s own widget, of a listed website, as a web address', async () => {
    const { company, key } = await livechatCompany(t);
    await on(company);
    const v = await visitor(key);
    await v.start('hello');
    const bad = [
      { url: 'javascript:alert(1)', title: 'x', referrer: '' },
      { url: 'https://elsewhere.example.org/', title: 'x', referrer: '' },
      { url: `${ORIGIN}/`, title: 'x'.repeat(301), referrer: '' },
      { url: `${ORIGIN}/`, title: 'x', referrer: 'data:text/html,hi' },
      { url: 'not a url', title: '', referrer: '' },
    ];
    for (const page of bad) expect((await v.post('page', page)).status).toBe(422);
    // No token, a token of another widget, a foreign origin: refused.
    const stranger = await visitor((await livechatCompany(t)).key);
    const api = `/livechat/${key}/api/page`;
    const good = { url: `${ORIGIN}/`, title: 'Home', referrer: '' };
    expect((await request(t.url).post(api).set('Origin', ORIGIN).type('form').send(good)).status).toBe(401);
    expect((await request(t.url).post(api).set('Origin', ORIGIN).set('X-Livechat-Token', stranger.token).type('form').send(good)).status).toBe(401);
    expect((await request(t.url).post(api).set('Origin', 'https://evil.example').set('X-Livechat-Token', v.token).type('form').send(good)).status).toBe(403);
    const [row] = await t
      .em()
      .getConnection()
      .execute(`select page_url from livechat_visitor v join livechat_chat c on c.visitor_id = v.id where c.public_id = ?`, [v.chat]);
    expect(row.page_url).toBeNull();
  });

  it('lists the visitor’s earlier chats with links to their transcripts, which the consultant may open', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company, 'livechat', 'Anna Returning');
    const v = await visitor(key);
    await v.start('first time here');
    const first = await chatId(v.chat);
    await anna.client.load(`/livechat/chats/${first}`);
    await anna.client.post(`/livechat/chats/${first}/messages`, { clientId: randomUUID(), body: 'Welcome!' }, { htmx: true });
    await anna.client.post(`/livechat/chats/${first}/close`);
    await v.post(`chats/${v.chat}/rating`, { rating: '5' });
    await v.start('back again');
    const second = await chatId(v.chat);
    expect(second).not.toBe(first);
    const page = await eventually(async () => {
      const res = await anna.client.load(`/livechat/chats/${second}`);
      expect(res.status).toBe(200);
      return res;
    });
    expect(page.text).toContain(`href="/livechat/conversations/${first}"`);
    expect(page.text).toContain('5 of 5');
    const transcript = await anna.client.agent.get(`/livechat/conversations/${first}`);
    expect(transcript.status).toBe(200);
    expect(transcript.text).toContain('first time here');
    expect(transcript.text).toContain('Welcome!');
  });

  it('lets a colleague who now holds the visitor read their earlier chats, and only while holding them', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company, 'livechat', 'Anna Earlier');
    const v = await visitor(key);
    await v.start('the first chat');
    const first = await chatId(v.chat);
    await anna.client.load(`/livechat/chats/${first}`);
    await anna.client.post(`/livechat/chats/${first}/messages`, { clientId: randomUUID(), body: 'Answered by Anna' }, { htmx: true });
    await anna.client.post(`/livechat/chats/${first}/close`);
    const bob = await on(company, 'livechat', 'Bob Later');
    await choose(anna.client, 'available');
    await v.start('the second chat');
    const second = await chatId(v.chat);
    await eventually(async () => expect((await bob.client.agent.get(`/livechat/chats/${second}`)).status).toBe(200));
    expect((await bob.client.load(`/livechat/chats/${second}`)).text).toContain(`href="/livechat/conversations/${first}"`);
    const earlier = await bob.client.agent.get(`/livechat/conversations/${first}`);
    expect(earlier.status).toBe(200);
    expect(earlier.text).toContain('Answered by Anna');
    // Not in his list (he did not handle it), and gone from his reach once the visitor's chat with him ends.
    expect((await bob.client.load('/livechat/conversations')).text).not.toContain(`data-chat="${first}"`);
    await bob.client.post(`/livechat/chats/${second}/close`);
    expect((await bob.client.agent.get(`/livechat/conversations/${first}`)).status).toBe(404);
  });
});
