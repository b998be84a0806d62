import { EventEmitter2 } from '@nestjs/event-emitter';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import type { LivechatLeftMessageEvent } from '../../src/livechat/chats.service';
import { LivechatRouting } from '../../src/livechat/routing.service';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { eventually, LivechatCast, livechatCompany, Visitor } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';

const png = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 20, g: 90, b: 160 } } })
    .png()
    .toBuffer();

/** Reads a body whole, whatever its type (supertest parses only what it knows). */
function raw(req: request.Test) {
  return req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

function upload(v: Visitor, content: Buffer, name: string, clientId = randomUUID()) {
  return request(v.url)
    .post(`${v.api}/chats/${v.chat}/files`)
    .set('Origin', v.origin)
    .set('X-Livechat-Token', v.token)
    .field('clientId', clientId)
    .attach('file', content, name);
}

function fileIdIn(html: string): string {
  const id = /data-lc-file="([^"]+)"/.exec(html)?.[1];
  if (!id) throw new Error(`no file in ${html}`);
  return id;
}

/** The widget's hours, straight into its row (the admin's form is tested below). */
async function setHours(t: TestApp, companyId: number, hours: (string | null)[] | null, zone = 'UTC') {
  await t
    .em()
    .getConnection()
    .execute(`update livechat_settings set hours = ?::jsonb, time_zone = ? where company_id = ?`, [hours ? JSON.stringify(hours) : null, zone, companyId]);
}

const storedPath = (t: TestApp, key: string) => join(t.config.filesDir, key.slice(0, 2), key);

describe('Livechat widget: hours, files, transcript, identity, proof of work, erasure', () => {
  let t: TestApp;
  const cast = new LivechatCast(() => t);
  const { visitor, chatId } = cast;
  const on = cast.consultant;
  beforeAll(async () => {
    t = await startTestApp({ LIVECHAT_SWEEP_MS: '200', LIVECHAT_CHALLENGE_AFTER: '2', FILE_MAX_BYTES: String(1024 * 1024) });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    cast.close();
    await t.close();
  });

  it('out of working hours shows the offline text and takes a phone number, announced for Callback', async () => {
    const { company, key } = await livechatCompany(t);
    await on(company);
    const left: LivechatLeftMessageEvent[] = [];
    t.app.get(EventEmitter2).on('livechat.left-message', (e: LivechatLeftMessageEvent) => left.push(e));
    // Closed every day: a consultant on duty does not change that.
    await setHours(t, company.id, [null, null, null, null, null, null, null]);
    const v = await visitor(key);
    const state = await v.get('state');
    expect(state.text).toContain('We are outside our working hours now');
    expect(state.text).toContain('name="phone"');
    // A chat started anyway (a form open from before) is kept as a left message, not routed.
    expect((await v.start('still there?', { name: 'Late' })).text).toContain('your message was left');
    // Neither an e-mail nor a phone: said so, the text kept; a phone that is no phone: said so.
    const none = await v.post('offline', { name: 'Ola', body: 'call me' });
    expect(none.status).toBe(422);
    expect(none.text).toContain('Give an e-mail or a phone number');
    expect(none.text).toContain('call me');
    const bad = await v.post('offline', { phone: 'call me maybe', body: 'call me' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter a phone number');
    const ok = await v.post('offline', { name: 'Ola', phone: '+48 600 100 200', body: 'please call me back' });
    expect(ok.status).toBe(200);
    const [row] = await t
      .em()
      .getConnection()
      .execute<{ phone: string; body: string }[]>(`select phone, body from livechat_left_message where company_id = ? and phone <> ''`, [company.id]);
    expect(row).toEqual({ phone: '+48 600 100 200', body: 'please call me back' });
    expect(left.find((e) => e.phone)).toMatchObject({ companyId: company.id, name: 'Ola', phone: '+48 600 100 200', body: 'please call me back' });
    // Open the whole week: the pre-chat form is back.
    await setHours(t, company.id, Array(7).fill('00:00-23:59'));
    expect((await v.get('state')).text).toContain('Start the chat');
  });

  it('lets the admin set working hours per weekday in a time zone, and refuses a bad week with what to correct', async () => {
    const company = await createCompany(t.em(), { plan: 'professional', apiAddon: true });
    const admin = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    const page = await admin.load('/livechat/settings');
    expect(page.text).toContain('name="from1"');
    const form = {
      enabled: 'on',
      colour: '#1d4ed8',
      origins: '',
      nameField: 'optional',
      emailField: 'optional',
      maxChats: '3',
      rerouteSeconds: '60',
      retentionDays: '90',
      hoursOn: 'on',
      timeZone: 'America/New_York',
      from1: '09:00',
      to1: '17:30',
      from6: '10:00',
      to6: '09:00',
    };
    const refused = await admin.post('/livechat/settings', form);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('The end must come after the start.');
    expect(refused.text).toMatch(/name="from1"[^>]*value="09:00"/);
    const badZone = await admin.post('/livechat/settings', { ...form, to6: '', from6: '', timeZone: 'Mars/Olympus' });
    expect(badZone.status).toBe(422);
    expect(badZone.text).toContain('Enter a time zone name');
    expect((await admin.post('/livechat/settings', { ...form, from6: '', to6: '' })).status).toBe(303);
    const [row] = await t
      .em()
      .getConnection()
      .execute<{ hours: (string | null)[]; time_zone: string }[]>(`select hours, time_zone from livechat_settings where company_id = ?`, [company.id]);
    expect(row).toEqual({ hours: [null, '09:00-17:30', null, null, null, null, null], time_zone: 'America/New_York' });
  });

  it('carries files both ways by the files rules, readable only by the chat’s visitor and its consultants', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const v = await visitor(key);
    await v.connect();
    await v.start('Here is a photo');
    const id = await chatId(v.chat);
    await eventually(async () => expect((await anna.client.load(`/livechat/chats/${id}`)).status).toBe(200));
    const image = await png();
    const sent = await upload(v, image, 'photo.png');
    expect(sent.status).toBe(201);
    const fileId = fileIdIn(sent.text);
    expect(sent.text).toContain('photo.png');
    // The consultant's page shows it with its thumbnail, and the file downloads whole.
    await anna.page.waitFor(new RegExp(`id="lc-log-${id}"[\\s\\S]*data-lc-file="${fileId}"[\\s\\S]*src="/livechat/files/${fileId}/thumbnail"`));
    const got = await raw(anna.client.agent.get(`/livechat/files/${fileId}`));
    expect(got.status).toBe(200);
    expect(Buffer.compare(got.body as Buffer, image)).toBe(0);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect((await anna.client.agent.get(`/livechat/files/${fileId}/thumbnail`)).headers['content-type']).toBe('image/webp');
    // The visitor reads their own file with their token.
    const mine = await raw(v.get(`files/${fileId}`));
    expect(mine.status).toBe(200);
    expect(Buffer.compare(mine.body as Buffer, image)).toBe(0);
    // An HTML file is sniffed as such and only ever downloaded.
    const page = await upload(v, Buffer.from('<html><script>alert(1)</script></html>'), 'x.txt');
    const html = await anna.client.agent.get(`/livechat/files/${fileIdIn(page.text)}`);
    expect(html.headers['content-type']).toBe('application/octet-stream');
    expect(html.headers['content-disposition']).toMatch(/^attachment/);
    // The consultant's file reaches the visitor's widget live, and the visitor may download it.
    await anna.client.load(`/livechat/chats/${id}`);
    const reply = await anna.client.agent
      .post(`/livechat/chats/${id}/files`)
      .set('X-CSRF-Token', anna.client.csrf)
      .set('HX-Request', 'true')
      .field('clientId', randomUUID())
      .attach('file', Buffer.from('the price list'), 'prices.txt');
    expect(reply.status).toBe(200);
    await eventually(() => expect(v.messages.some((m) => m.html.includes('prices.txt'))).toBe(true));
    const replyId = fileIdIn(v.messages.find((m) => m.html.includes('prices.txt'))!.html);
    expect((await v.get(`files/${replyId}`)).text).toBe('the price list');

    // Outsiders: another visitor (token), another chat's id, a guessed id, no token, another company, a plain user.
    const other = await visitor(key);
    await other.start('me too');
    expect((await other.get(`files/${fileId}`)).status).toBe(404);
    expect((await other.get(`files/${fileId}/thumbnail`)).status).toBe(404);
    expect((await v.get(`files/${fileId.slice(0, -2)}zz`)).status).toBe(404);
    expect((await v.get(`files/1`)).status).toBe(404);
    expect((await request(t.url).get(`/livechat/${key}/api/files/${fileId}`).set('Origin', v.origin)).status).toBe(401);
    const foreign = Object.assign(new Visitor(t.url, key), { token: other.token, chat: v.chat });
    expect((await upload(foreign, image, 'sneaky.png')).status).toBe(404);
    const elsewhere = await livechatCompany(t);
    const stranger = await on(elsewhere.company);
    expect((await stranger.client.agent.get(`/livechat/files/${fileId}`)).status).toBe(404);
    const strangerVisitor = await visitor(elsewhere.key);
    expect((await strangerVisitor.get(`files/${fileId}`)).status).toBe(404);
    const plain = await signedIn(t.url, (await createUser(t.em(), company)).email);
    expect((await plain.agent.get(`/livechat/files/${fileId}`)).status).toBe(404);
    // A colleague consultant who never had the chat: 404; the company's director sees it.
    const bob = await on(company);
    expect((await bob.client.agent.get(`/livechat/files/${fileId}`)).status).toBe(404);
    const director = await signedIn(t.url, (await createUser(t.em(), company, { role: 'director' })).email);
    expect((await director.agent.get(`/livechat/files/${fileId}`)).status).toBe(200);
  });

  it('refuses a file too large or empty and too many uploads, saying why and when to retry', async () => {
    const { company, key } = await livechatCompany(t);
    await on(company);
    const v = await visitor(key);
    await v.start('files coming');
    const big = await upload(v, Buffer.alloc(1024 * 1024 + 1, 1), 'big.bin');
    expect(big.status).toBe(413);
    expect(big.text).toContain('The file is too large: at most 1 MB.');
    const empty = await upload(v, Buffer.alloc(0), 'empty.txt');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('The file is empty.');
    // The same client id twice is one message (and one stored copy).
    const clientId = randomUUID();
    const first = await upload(v, Buffer.from('once'), 'once.txt', clientId);
    const again = await upload(v, Buffer.from('once'), 'once.txt', clientId);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(fileIdIn(again.text)).toBe(fileIdIn(first.text));
    let refused: request.Response | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await upload(v, Buffer.from(`file ${i}`), `f${i}.txt`);
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(201);
    }
    expect(refused).toBeDefined();
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused!.text).toMatch(/You are sending files too fast\. Try again in \d+ seconds\./);
  });

  it('gives the visitor their own conversation as text or a web page, and nobody else’s', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const v = await visitor(key);
    await v.start('Hello <there>', { name: 'Vera' });
    const id = await chatId(v.chat);
    await eventually(async () => expect((await anna.client.load(`/livechat/chats/${id}`)).status).toBe(200));
    await anna.client.post(`/livechat/chats/${id}/messages`, { clientId: randomUUID(), body: 'Hi Vera' }, { htmx: true });
    await upload(v, Buffer.from('notes'), 'notes.txt');
    const text = await v.get(`chats/${v.chat}/transcript?format=text&tz=Europe/Warsaw`);
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.headers['content-disposition']).toMatch(/^attachment; filename="chat-\d{4}-\d{2}-\d{2}\.txt"/);
    expect(text.text).toMatch(/Vera:\r\n {2}Hello <there>[\s\S]*Hi Vera[\s\S]*\[file: notes\.txt\]/);
    const html = await v.get(`chats/${v.chat}/transcript?format=html`);
    expect(html.headers['content-disposition']).toMatch(/\.html"/);
    expect(html.text).toContain('Hello &lt;there&gt;');
    expect(html.text).toContain(anna.user.name);
    // Another visitor, a guessed chat id: 404; a bad time zone falls back to the widget's.
    const other = await visitor(key);
    expect((await other.get(`chats/${v.chat}/transcript?format=text`)).status).toBe(404);
    expect((await v.get(`chats/${v.chat.slice(0, -2)}zz/transcript`)).status).toBe(404);
    expect((await v.get(`chats/${v.chat}/transcript?tz=Nowhere/Else`)).status).toBe(200);
  });

  it('marks a visitor verified by the HMAC of their e-mail, and never one with a wrong HMAC', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const admin = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    const settings = await admin.load('/livechat/settings');
    const secret = /id="livechat-identity-secret">([0-9a-f]{64})</.exec(settings.text)![1];
    expect(settings.text).toContain('data-email=');
    const sign = (email: string, key2 = secret) => createHmac('sha256', key2).update(email).digest('hex');
    const good = await visitor(key);
    await good.start('I am a customer', { identityEmail: 'ola@example.com', identityHmac: sign('ola@example.com') });
    const forged = await visitor(key);
    await forged.start('I am the CEO', { email: 'typed@example.com', identityEmail: 'ceo@example.com', identityHmac: sign('ceo@example.com', 'guess') });
    const rows = await t
      .em()
      .getConnection()
      .execute<{ email: string | null; verified: boolean }[]>(`select email, verified from livechat_visitor where company_id = ? order by id`, [company.id]);
    expect(rows).toEqual([
      { email: 'ola@example.com', verified: true },
      { email: 'typed@example.com', verified: false },
    ]);
    const goodPage = await eventually(async () => {
      const res = await anna.client.load(`/livechat/chats/${await chatId(good.chat)}`);
      expect(res.status).toBe(200);
      return res;
    });
    expect(goodPage.text).toMatch(/ola@example\.com<\/a> <span class="lc-verified"/);
    const forgedPage = await eventually(async () => {
      const res = await anna.client.load(`/livechat/chats/${await chatId(forged.chat)}`);
      expect(res.status).toBe(200);
      return res;
    });
    expect(forgedPage.text).not.toContain('ceo@example.com');
    expect(forgedPage.text).not.toContain('lc-verified');
    // A new secret: what was signed with the old one no longer verifies.
    expect((await admin.post('/livechat/settings/identity-secret')).status).toBe(303);
    const late = await visitor(key);
    await late.start('me again', { identityEmail: 'ola@example.com', identityHmac: sign('ola@example.com') });
    const [lateRow] = await t
      .em()
      .getConnection()
      .execute<{ verified: boolean }[]>(`select verified from livechat_visitor where company_id = ? order by id desc limit 1`, [company.id]);
    expect(lateRow.verified).toBe(false);
    // Only the company's admin sees or changes the secret.
    const plain = await signedIn(t.url, (await createUser(t.em(), company)).email);
    expect((await plain.agent.get('/livechat/settings')).status).toBe(403);
    expect((await plain.post('/livechat/settings/identity-secret')).status).toBe(403);
  });

  it('asks an address past the threshold for a proof of work: none refused, a solution taken once, a replay refused', async () => {
    const { company, key } = await livechatCompany(t);
    await on(company);
    for (let i = 0; i < 2; i++) expect((await (await visitor(key)).start(`chat ${i}`)).status).toBe(200);
    const third = await visitor(key);
    const refused = await third.start('the third chat this hour');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Let your browser solve a short check');
    expect(refused.text).toContain('the third chat this hour'); // the text is kept
    const challenge = JSON.parse(
      /data-lc-altcha="([^"]+)"/
        .exec(refused.text)![1]
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    ) as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey });
    const payload = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    const wrong = Buffer.from(JSON.stringify({ challenge, solution: { ...solution, derivedKey: '0'.repeat(64) } })).toString('base64');
    expect((await third.start('with a wrong answer', { altcha: wrong })).status).toBe(403);
    const accepted = await third.start('the third chat this hour', { altcha: payload });
    expect(accepted.status).toBe(200);
    expect(third.chat).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const fourth = await visitor(key);
    const replayed = await fourth.start('replaying', { altcha: payload });
    expect(replayed.status).toBe(403);
    expect(replayed.text).toContain('The check did not pass, or it was already used');
    // A message left on the offline form from the same address is asked for one too, and taken with one.
    const offline = await fourth.post('offline', { email: 'x@example.com', body: 'call me' });
    expect(offline.status).toBe(403);
    expect(offline.text).toContain('Let your browser solve a short check');
    expect(offline.text).toContain('call me');
    const offlineChallenge = JSON.parse(
      /data-lc-altcha="([^"]+)"/
        .exec(offline.text)![1]
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    ) as Challenge;
    const offlineSolution = await solveChallenge({ challenge: offlineChallenge, deriveKey });
    const offlinePayload = Buffer.from(JSON.stringify({ challenge: offlineChallenge, solution: offlineSolution })).toString('base64');
    expect((await fourth.post('offline', { email: 'x@example.com', body: 'call me', altcha: offlinePayload })).status).toBe(200);
    // A solution of another widget's challenge is no good here either.
    const elsewhere = await livechatCompany(t);
    await on(elsewhere.company);
    for (let i = 0; i < 2; i++) await (await visitor(elsewhere.key)).start(`x ${i}`);
    const foreign = await (await visitor(elsewhere.key)).start('foreign', { altcha: payload });
    expect(foreign.status).toBe(403);
  });

  it('erases a visitor at once on “delete this visitor”: chats, messages, files and stored bytes, details', async () => {
    const { company, key } = await livechatCompany(t);
    const anna = await on(company);
    const v = await visitor(key);
    await v.start('please forget me', { name: 'Gone', email: 'gone@example.com' });
    await upload(v, await png(), 'me.png');
    await v.post('offline', { phone: '600100200', body: 'left earlier' });
    const id = await chatId(v.chat);
    const keys = await t
      .em()
      .getConnection()
      .execute<{ storage_key: string; thumb_key: string }[]>(`select storage_key, thumb_key from livechat_file where chat_id = ?`, [id]);
    expect(keys).toHaveLength(1);
    expect(existsSync(storedPath(t, keys[0].storage_key))).toBe(true);
    // Not for a colleague who does not hold the chat, nor for another company's admin.
    const bob = await on(company);
    await eventually(async () => expect((await anna.client.load(`/livechat/chats/${id}`)).status).toBe(200));
    expect(anna.client.csrf).not.toBe('');
    await bob.client.load('/');
    expect((await bob.client.post(`/livechat/chats/${id}/visitor/delete`)).status).toBe(404);
    const otherAdmin = await signedIn(t.url, (await createUser(t.em(), (await livechatCompany(t)).company, { role: 'admin' })).email);
    await otherAdmin.load('/');
    expect((await otherAdmin.post(`/livechat/chats/${id}/visitor/delete`)).status).toBe(404);
    const page = await anna.client.load(`/livechat/chats/${id}`);
    expect(page.text).toContain('Delete this visitor');
    expect(page.text).toContain('hx-confirm=');
    const erased = await anna.client.post(`/livechat/chats/${id}/visitor/delete`);
    expect(erased.status).toBe(303);
    expect(erased.headers.location).toBe('/livechat/visitor-deleted');
    const count = async (table: string) =>
      (await t.em().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from ${table} where company_id = ?`, [company.id]))[0].n;
    for (const table of ['livechat_visitor', 'livechat_chat', 'livechat_message', 'livechat_file', 'livechat_left_message']) expect(await count(table)).toBe(0);
    expect(existsSync(storedPath(t, keys[0].storage_key))).toBe(false);
    expect(existsSync(storedPath(t, keys[0].thumb_key))).toBe(false);
    // The visitor's token is nobody now; Anna's panel lost the chat.
    expect((await v.get(`chats/${v.chat}/messages`)).status).toBe(401);
    await anna.page.waitFor(/id="livechat-section"[\s\S]*No chats\./);
  });

  it('removes the stored files of visitors past the retention', async () => {
    const { company, key } = await livechatCompany(t);
    await on(company);
    const v = await visitor(key);
    await v.start('old');
    await upload(v, Buffer.from('old notes'), 'old.txt');
    const [file] = await t
      .em()
      .getConnection()
      .execute<{ storage_key: string }[]>(`select f.storage_key from livechat_file f join livechat_chat c on c.id = f.chat_id where c.public_id = ?`, [v.chat]);
    await t.em().getConnection().execute(`update livechat_chat set status = 'closed' where public_id = ?`, [v.chat]);
    await t.em().getConnection().execute(`update livechat_settings set retention_days = 1 where company_id = ?`, [company.id]);
    await t
      .em()
      .getConnection()
      .execute(`update livechat_visitor set last_seen_at = now() - interval '2 days' where id = (select visitor_id from livechat_chat where public_id = ?)`, [
        v.chat,
      ]);
    expect(existsSync(storedPath(t, file.storage_key))).toBe(true);
    await t.app.get(LivechatRouting).purge();
    expect(existsSync(storedPath(t, file.storage_key))).toBe(false);
  });
});
