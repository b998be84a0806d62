import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import sharp from 'sharp';
import { messagesBefore, messagesChangedSince } from '../../src/chat/message-records';
import { createGroup, send } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { generateToken } from '../support/integrations';

describe('reading history as plain rows', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ FILES_DIR: await mkdtemp(join(tmpdir(), 'gwar-history-')) });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  const upload = (client: Client, conversationId: number, content: Buffer, name: string) =>
    client.agent
      .post(`/chat/conversations/${conversationId}/attachments`)
      .set('X-CSRF-Token', client.csrf)
      .set('HX-Request', 'true')
      .field('clientId', randomUUID())
      .attach('file', content, name);

  /** A group with every kind of message: replies (one to a message deleted since), an edit, files, an integration's. */
  async function busyGroup() {
    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin', name: 'Ada Admin' });
    const member = await createUser(t.em(), company, { name: 'Max Member' });
    const ad = await signedIn(t.url, admin.email);
    const m = await signedIn(t.url, member.email);
    const groupId = await createGroup(ad, 'Everything', [member.id]);
    const token = await generateToken(ad, groupId);
    await request(t.url).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send({ text: 'Order #7 paid', displayName: 'Shop' });
    const question = await send(m, groupId, 'Where are the notes?');
    await send(ad, groupId, 'In the CRM', randomUUID(), { replyTo: String(question.id) });
    const doomed = await send(m, groupId, 'Something I regret');
    await send(ad, groupId, 'What did you mean?', randomUUID(), { replyTo: String(doomed.id) });
    await m.agent.delete(`/chat/messages/${doomed.id}`).set('X-CSRF-Token', m.csrf);
    const draft = await send(ad, groupId, 'Draft');
    await ad.agent.patch(`/chat/messages/${draft.id}`).set('X-CSRF-Token', ad.csrf).type('form').send({ body: 'Final words' });
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 0, g: 90, b: 200 } } })
      .png()
      .toBuffer();
    expect((await upload(m, groupId, png, 'blue.png')).status).toBe(201);
    expect((await upload(m, groupId, Buffer.from('plain words'), 'notes for Ada.txt')).status).toBe(201);
    return { company, admin, member, ad, m, groupId };
  }

  /** Each message element of an HTML answer, by its DOM id. */
  const messagesIn = (html: string) => new Map([...html.matchAll(/<li id="(m-[^"]+)" class="msg[\s\S]*?\n<\/li>/g)].map((m) => [m[1], m[0]]));

  it('renders every message the same for every viewer, on the page, on older pages and in the catch-up', async () => {
    const { ad, m, groupId } = await busyGroup();
    const answers: Map<string, string>[] = [];
    for (const viewer of [ad, m]) {
      answers.push(messagesIn((await viewer.agent.get(`/chat/conversations/${groupId}`).set('HX-Request', 'true')).text));
      answers.push(messagesIn((await viewer.agent.get(`/chat/conversations/${groupId}/messages?before=999999999`).set('HX-Request', 'true')).text));
      answers.push(messagesIn((await viewer.agent.get(`/chat/conversations/${groupId}/changes?since=0`).set('HX-Request', 'true')).text));
    }
    expect(answers[0].size).toBe(8);
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    // The group holds what it should, so the comparison above compared something.
    const html = [...answers[0].values()].join('\n');
    expect(html).toMatch(/class="msg-author via-api">Shop /);
    expect(html).toContain('<span class="quote-author">Max Member</span> Message deleted');
    expect(html).toContain('<span class="quote-author">Max Member</span> Where are the notes?');
    expect(html).toContain('Final words');
    expect(html).toContain('class="edited"');
    expect(html).toContain('alt="blue.png"');
    expect(html).toContain('<span class="attachment-name">notes for Ada.txt</span>');
  });

  it('reads nothing of a conversation through another company', async () => {
    const { groupId } = await busyGroup();
    const other = await createCompany(t.em());
    expect(await messagesBefore(t.em(), other.id, groupId, undefined, 100)).toEqual([]);
    expect(await messagesChangedSince(t.em(), other.id, groupId, 0, 100)).toEqual([]);
  });

  it('shows quotes, files and the integration’s name on the page and on older pages', async () => {
    const { ad, groupId } = await busyGroup();
    const page = await ad.agent.get(`/chat/conversations/${groupId}`).set('HX-Request', 'true');
    const older = await ad.agent.get(`/chat/conversations/${groupId}/messages?before=999999999`).set('HX-Request', 'true');
    for (const html of [page.text, older.text]) {
      expect(html).toContain('<span class="quote-author">Max Member</span> Where are the notes?');
      expect(html).toContain('<span class="attachment-name">notes for Ada.txt</span>');
      expect(html).toContain('alt="blue.png"');
      expect(html).toMatch(/class="msg-author via-api">Shop </);
    }
  });
});
