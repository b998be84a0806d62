import { randomUUID } from 'node:crypto';
import { decodeWatermark, isRead } from '../../src/chat/read-watermark';
import { ReadsService } from '../../src/chat/reads.service';
import { createGroup, Page, settle } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/** What a page receives per message in a group: one packet for each member's page, and one receipt for its author. */
describe('one packet per page, receipts coalesced', () => {
  let t: TestApp;
  const pages: Page[] = [];
  const packets = new Map<Page, string[]>();
  const open = async (client: Client, conversations: number[]) => {
    const page = await Page.open(t.url, client, conversations);
    const seen: string[] = [];
    page.socket.onAny((event: string) => seen.push(event));
    packets.set(page, seen);
    pages.push(page);
    return page;
  };
  const got = (page: Page) => packets.get(page)!;
  const forget = () => [...packets.values()].forEach((seen) => seen.splice(0));
  const waitUntil = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 150 && !check(); i++) await settle(20);
    if (!check()) throw new Error(`never happened: ${what}`);
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'false' }, { countQueries: true });
    await createCompany(t.em(), { operator: true });
  });
  afterEach(() => pages.splice(0).forEach((p) => p.close()));
  afterAll(() => t.close());

  /** A group of ten, each member's page showing it; the first member writes. */
  async function team() {
    const company = await createCompany(t.em());
    const users = [];
    for (let i = 0; i < 10; i++) users.push(await createUser(t.em(), company, { name: `Member ${i}` }));
    const clients = await Promise.all(users.map((u) => signedIn(t.url, u.email)));
    const groupId = await createGroup(
      clients[0],
      'Ten',
      users.slice(1).map((u) => u.id),
    );
    const [author, ...readers] = await Promise.all(clients.map((c) => open(c, [groupId])));
    // The presence pushes of ten pages coming online have landed.
    await settle(400);
    return { company, users, clients, groupId, author, readers };
  }

  async function post(page: Page, conversationId: number, body: string): Promise<{ id: number; seq: number }> {
    const ack = await page.socket.timeout(5000).emitWithAck('message:send', { conversationId, clientId: randomUUID(), body });
    expect(ack.ok).toBe(true);
    return { id: Number(/data-message-id="(\d+)"/.exec(ack.html)![1]), seq: ack.seq };
  }

  it('brings a new message to each recipient page in one packet, and to the sending page only in its answer', async () => {
    const { clients, groupId, author, readers } = await team();
    const secondTab = await open(clients[0], [groupId]);
    await settle(200);
    forget();
    const { seq } = await post(author, groupId, 'One packet each');
    await waitUntil(() => [...readers, secondTab].every((p) => p.received().includes('One packet each')), 'every page has it');
    await settle(300);
    for (const reader of readers) {
      expect(got(reader)).toEqual(['notify']);
      expect(reader.changes).toEqual([expect.objectContaining({ conversationId: groupId, seq })]);
      expect(reader.received()).toMatch(new RegExp(`id="unread-c${groupId}"[^>]*data-count="1"`));
    }
    // The author's other tab shows it too; the sending page has it from the answer.
    expect(got(secondTab)).toEqual(['messages']);
    expect(got(author)).toEqual([]);
  });

  it('stores the reads of nine pages that come together in one statement, and tells only the author, once', async () => {
    const { users, groupId, author, readers } = await team();
    const { id } = await post(author, groupId, 'Read by all nine');
    await waitUntil(() => readers.every((p) => p.received().includes('Read by all nine')), 'every reader has it');
    await settle(200);
    forget();
    t.queries.splice(0);
    for (const reader of readers) reader.socket.emit('read', { conversationId: groupId, upTo: id, cleared: true });
    await waitUntil(() => author.reads.some((r) => isRead(decodeWatermark(r.read), id, users[0].id)), 'the author’s tick turns green');
    await settle(300);
    // The statement that stores the reads reads the audience too: the push looks nothing up.
    expect(t.queries.filter((q) => q.includes('json_to_recordset'))).toHaveLength(1);
    expect(t.queries.filter((q) => q.includes('with members as'))).toHaveLength(0);
    expect(got(author)).toEqual(['read']);
    // Every reader cleared its own badge and has nothing unread: nothing comes back to them.
    for (const reader of readers) expect(got(reader)).toEqual([]);
    const stored = await t
      .em()
      .getConnection()
      .execute(`select count(*)::int as n from conversation_member where conversation_id = ? and last_read_message_id = ?`, [groupId, id]);
    expect(stored[0].n).toBe(10);
  });

  it('pushes the badge to a page that did not clear it, and to the reader’s other pages', async () => {
    const { clients, groupId, author, readers } = await team();
    const { id } = await post(author, groupId, 'Badge back');
    const [reader] = readers;
    const otherTab = await open(clients[1], [groupId]);
    await waitUntil(() => reader.received().includes('Badge back'), 'the reader has it');
    await settle(200);
    forget();
    const empty = new RegExp(`id="unread-c${groupId}" hx-swap-oob="true" class="badge empty" data-count="0">`);
    reader.socket.emit('read', { conversationId: groupId, upTo: id, cleared: true });
    await otherTab.waitFor(empty);
    await settle(200);
    expect(got(reader)).toEqual([]);
    expect(got(otherTab)).toEqual(['html']);

    const { id: next } = await post(author, groupId, 'Badge back again');
    await waitUntil(() => reader.received().includes('Badge back again'), 'the reader has the next one');
    reader.html.splice(0);
    reader.socket.emit('read', { conversationId: groupId, upTo: next });
    await reader.waitFor(empty);
  });

  it('stores the reads still waiting for their batch when the server shuts down', async () => {
    const { company, users, groupId, author } = await team();
    const { id } = await post(author, groupId, 'Read just before the end');
    // A second instance on the same schema takes the reads and is stopped before their batch is due.
    const second = await startTestApp({ RATE_LIMITS: 'false', DATABASE_SCHEMA: t.config.databaseSchema });
    const reads = second.app.get(ReadsService);
    const stored = Promise.all(users.slice(1).map((u) => reads.queueRead(company.id, groupId, u.id, id)));
    await second.close();
    await stored;
    const rows = await t
      .em()
      .getConnection()
      .execute(`select count(*)::int as n from conversation_member where conversation_id = ? and last_read_message_id = ?`, [groupId, id]);
    expect(rows[0].n).toBe(10);
  });

  it('moves nothing and tells nobody when a non-member’s page sends a read', async () => {
    const { company, groupId, author } = await team();
    const { id } = await post(author, groupId, 'Members only');
    const outsider = await createUser(t.em(), company, { name: 'Not in it' });
    const outsiderPage = await open(await signedIn(t.url, outsider.email), []);
    await settle(300);
    forget();
    outsiderPage.socket.emit('read', { conversationId: groupId, upTo: id, cleared: true });
    await settle(400);
    expect(got(author)).toEqual([]);
    const rows = await t
      .em()
      .getConnection()
      .execute(`select count(*)::int as n from conversation_member where conversation_id = ? and user_id = ?`, [groupId, outsider.id]);
    expect(rows[0].n).toBe(0);
  });
});
