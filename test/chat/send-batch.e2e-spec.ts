import { randomUUID } from 'node:crypto';
import { Page, createGroup, settle } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { MessageBatch } from '../../src/chat/message-batch';

interface Ack {
  ok: boolean;
  status?: number;
  seq?: number;
  html?: string;
  created?: boolean;
}

/**
 * Sends that arrive together are stored by one statement (message-batch.ts): these check that a batch keeps
 * every guarantee of a single send: order, gap-free change sequences, idempotency, the membership and Offline
 * checks per send, and each recipient's badge as if the messages had come one after another.
 */
describe('sends that arrive together', () => {
  let t: TestApp;
  const pages: Page[] = [];
  const open = async (client: Client, conversations: number[]) => {
    const page = await Page.open(t.url, client, conversations);
    pages.push(page);
    return page;
  };
  const send = (page: Page, conversationId: number, body: string, clientId = randomUUID()): Promise<Ack> =>
    page.socket.timeout(10_000).emitWithAck('message:send', { conversationId, clientId, body }) as Promise<Ack>;
  const idOf = (ack: Ack) => Number(/data-message-id="(\d+)"/.exec(ack.html ?? '')?.[1]);
  const stores = () => t.queries.filter((q) => /insert into message \(/.test(q)).length;
  const audienceLookups = () => t.queries.filter((q) => q.includes('with members as')).length;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'false' }, { countQueries: true });
    await createCompany(t.em(), { operator: true });
  });
  afterEach(() => pages.splice(0).forEach((p) => p.close()));
  afterAll(() => t.close());

  async function team(size: number) {
    const company = await createCompany(t.em());
    const users = [];
    for (let i = 0; i < size; i++) users.push(await createUser(t.em(), company, { name: `Member ${i}` }));
    const clients = await Promise.all(users.map((u) => signedIn(t.url, u.email)));
    const groupId = await createGroup(
      clients[0],
      'Batch',
      users.slice(1).map((u) => u.id),
    );
    return { company, users, clients, groupId };
  }

  it('stores fifty sends of five pages in a few statements, in the order each page sent them, with gap-free sequences, and pushes each once', async () => {
    const { users, clients, groupId } = await team(6);
    const senders = await Promise.all(clients.slice(0, 5).map((c) => open(c, [groupId])));
    const watcher = await open(clients[5], [groupId]);
    await settle(300);
    const [before] = await t.em().getConnection().execute<{ seq: string }[]>(`select change_seq as seq from conversation where id = ?`, [groupId]);
    t.queries.splice(0);
    const sent = senders.map((page, s) => Array.from({ length: 10 }, (_, k) => send(page, groupId, `page ${s} message ${k}`)));
    const acks = await Promise.all(sent.map((list) => Promise.all(list)));
    expect(acks.flat().every((a) => a.ok && a.created)).toBe(true);
    // One statement per message would be fifty; the pushes looked nothing up: the store read the audience.
    console.log(`fifty sends: ${stores()} store statements`);
    expect(stores()).toBeLessThanOrEqual(5);
    expect(audienceLookups()).toBe(0);
    for (const list of acks) {
      const ids = list.map(idOf);
      const seqs = list.map((a) => a.seq!);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    }
    const seqs = acks
      .flat()
      .map((a) => a.seq!)
      .sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => Number(before.seq) + 1 + i));
    // Ids and sequences agree: the message stored first is numbered first.
    const rows = await t
      .em()
      .getConnection()
      .execute<{ id: string; seq: string }[]>(`select id, seq from message where conversation_id = ? order by id`, [groupId]);
    expect(rows.map((r) => Number(r.seq))).toEqual(seqs);
    const [conversation] = await t.em().getConnection().execute<{ seq: string }[]>(`select change_seq as seq from conversation where id = ?`, [groupId]);
    expect(Number(conversation.seq)).toBe(Number(before.seq) + 50);
    for (let i = 0; i < 150 && watcher.changes.length < 50; i++) await settle(20);
    await settle(200);
    expect(watcher.changes.map((c) => c.seq).sort((x, y) => x - y)).toEqual(seqs);
    // Each sender's read pointer is at its own newest message.
    const pointers = await t
      .em()
      .getConnection()
      .execute<{ user_id: number; last: string }[]>(`select user_id, last_read_message_id as last from conversation_member where conversation_id = ?`, [
        groupId,
      ]);
    users.slice(0, 5).forEach((user, s) => {
      expect(Number(pointers.find((p) => p.user_id === user.id)!.last)).toBe(Math.max(...acks[s].map(idOf)));
    });
  });

  it('gives each recipient the badge it would have had had the messages come one after another', async () => {
    const { clients, groupId } = await team(3);
    const author = await open(clients[0], [groupId]);
    const reader = await open(clients[1], [groupId]);
    const notes: { seq: number; html: string }[] = [];
    reader.socket.on('notify', (n: { seq: number; html: string }) => notes.push(n));
    await settle(300);
    t.queries.splice(0);
    const acks = await Promise.all(Array.from({ length: 8 }, (_, k) => send(author, groupId, `counted ${k}`)));
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(stores()).toBeLessThan(8);
    for (let i = 0; i < 150 && notes.length < 8; i++) await settle(20);
    await settle(200);
    // Each notification carries the message and the badge: the n-th message of the batch brings n unread.
    const counts = [...notes].sort((a, b) => a.seq - b.seq).map((n) => Number(/data-count="(\d+)"/.exec(n.html)?.[1]));
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('stores a client id sent twice in one batch once, answering both with the same message, and another sender’s copy not at all', async () => {
    const { clients, groupId } = await team(3);
    const author = await open(clients[0], [groupId]);
    const other = await open(clients[1], [groupId]);
    await settle(300);
    const clientId = randomUUID();
    t.queries.splice(0);
    const [first, again, stranger, plain] = await Promise.all([
      send(author, groupId, 'Once only', clientId),
      send(author, groupId, 'Once only', clientId),
      send(other, groupId, 'Not mine to take', clientId),
      send(other, groupId, 'Alongside'),
    ]);
    expect(stores()).toBeLessThan(4);
    expect(first.ok && again.ok).toBe(true);
    expect([first.created, again.created].sort()).toEqual([false, true]);
    expect(idOf(first)).toBe(idOf(again));
    expect(first.seq).toBe(again.seq);
    expect(stranger.ok).toBe(false);
    expect(plain.ok && plain.created).toBe(true);
    const rows = await t
      .em()
      .getConnection()
      .execute<{ body: string; author_id: number }[]>(`select body, author_id from message where conversation_id = ? order by id`, [groupId]);
    expect(rows.map((r) => r.body)).toEqual(expect.arrayContaining(['Once only', 'Alongside']));
    expect(rows).toHaveLength(2);
  });

  it('refuses, within one batch, a non-member’s send (404) and an Offline member’s (409) while storing the others', async () => {
    const { company, clients, groupId } = await team(3);
    const outsider = await createUser(t.em(), company, { name: 'Not in it' });
    const outsiderClient = await signedIn(t.url, outsider.email);
    const member = await open(clients[0], [groupId]);
    const offline = await open(clients[1], [groupId]);
    const stranger = await open(outsiderClient, []);
    expect((await clients[1].post('/presence/status', { status: 'offline' }, { htmx: true })).status).toBeLessThan(400);
    await settle(300);
    const [ok, away, notMember] = await Promise.all([
      send(member, groupId, 'Member writes'),
      send(offline, groupId, 'Offline writes'),
      send(stranger, groupId, 'Stranger writes'),
    ]);
    expect(ok.ok).toBe(true);
    expect(away).toMatchObject({ ok: false, status: 409 });
    expect(notMember).toMatchObject({ ok: false, status: 404 });
    const rows = await t.em().getConnection().execute<{ body: string }[]>(`select body from message where conversation_id = ?`, [groupId]);
    expect(rows.map((r) => r.body)).toEqual(['Member writes']);
  });

  it('fails only the send the statement cannot take: the others of its batch are stored', async () => {
    const { company, users, groupId } = await team(2);
    const batch = t.app.get(MessageBatch);
    const sendOf = (body: string) => ({
      companyId: company.id,
      conversationId: groupId,
      authorId: users[0].id,
      clientId: randomUUID(),
      body,
      replyToId: null,
      mustBeMember: true,
      displayName: null,
      supportAgentId: null,
      integrationId: null,
      integrationName: null,
    });
    // PostgreSQL's text takes no NUL (the forms and schemas strip it before a send gets here).
    const [good, bad, alsoGood] = await Promise.allSettled([
      batch.store(sendOf('Fine')),
      batch.store(sendOf('Broken \u0000 text')),
      batch.store(sendOf('Also fine')),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    expect(alsoGood.status).toBe('fulfilled');
    const rows = await t.em().getConnection().execute<{ body: string }[]>(`select body from message where conversation_id = ? order by id`, [groupId]);
    expect(rows.map((r) => r.body)).toEqual(['Fine', 'Also fine']);
  });
});
