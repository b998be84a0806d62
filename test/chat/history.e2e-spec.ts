import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import sharp from 'sharp';
import { ConversationMember } from '../../src/chat/conversation-member.entity';
import { Message } from '../../src/chat/message.entity';
import { messagesBefore, messagesChangedSince } from '../../src/chat/message-records';
import { messageView, readStateOf } from '../../src/chat/message.view';
import { COMPANY_FILTER } from '../../src/database/company-scope';
import { createGroup, send } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

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
    await ad.load(`/chat/groups/${groupId}/api-token`);
    const token = /id="api-token-value"[^>]*value="(gwar_[^"]+)"/.exec((await ad.post(`/chat/groups/${groupId}/api-token`, { origins: '' })).text)![1];
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
    return { company, admin, member, ad, groupId };
  }

  it('shows every message exactly as the same message loaded as an entity, for the author and for the others', async () => {
    const { company, admin, member, groupId } = await busyGroup();
    const em = t.em();
    const filters = { [COMPANY_FILTER]: { companyId: company.id } };
    const entities = await em.find(
      Message,
      { conversation: groupId },
      { populate: ['author', 'replyTo', 'replyTo.author', 'attachments'], orderBy: { id: 'asc' }, filters },
    );
    const state = readStateOf(await em.find(ConversationMember, { conversation: groupId }, { populate: ['user'], filters }));
    const records = (await messagesBefore(t.em(), company.id, groupId, undefined, 100)).reverse();
    const changed = await messagesChangedSince(t.em(), company.id, groupId, 0, 100);
    for (const [viewer, manages] of [
      [admin.id, true],
      [member.id, false],
    ] as const) {
      const expected = entities.map((e) => messageView(e, viewer, state, manages));
      expect(records.map((r) => messageView(r, viewer, state, manages))).toEqual(expected);
      expect(changed.map((r) => messageView(r, viewer, state, manages))).toEqual([...expected].sort((a, b) => a.seq - b.seq));
    }
    // The group holds what it should, so the comparison above compared something.
    const views = records.map((r) => messageView(r, admin.id, state, true));
    expect(views.find((v) => v.viaApi)?.authorName).toBe('Shop');
    expect(views.find((v) => v.replyTo?.deleted)?.text).toBe('What did you mean?');
    expect(views.find((v) => v.replyTo && !v.replyTo.deleted)?.replyTo?.excerpt).toBe('Where are the notes?');
    expect(views.find((v) => v.edited)?.text).toBe('Final words');
    expect(views.flatMap((v) => v.attachments).map((a) => [a.name, a.image])).toEqual([
      ['blue.png', true],
      ['notes for Ada.txt', false],
    ]);
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
