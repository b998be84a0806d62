import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import type { User } from '../../src/accounts/user.entity';
import { RealtimeGateway } from '../../src/realtime/realtime.gateway';
import { createGroup, directConversation, settle } from '../support/chat';
import { ConversationModel, messagesIn } from '../support/conversation-model';
import { createCompany, createUser } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { Sequencer, SequencerType } from '../support/sequencer';
import { connected, connectSocket } from '../support/sockets';
import { startTestApp, TestApp } from '../support/test-app';

const USERS = 10;
const PAGES_PER_USER = 5;
const OPERATIONS = 2000;
const IN_FLIGHT = 10;

const random = (n: number) => Math.floor(Math.random() * n);
const pick = <T>(items: T[]) => items[random(items.length)];

interface Stats {
  pushes: number;
  reordered: number;
  late: number;
  doubled: number;
  drops: number;
  catchUps: number;
  droppedOnServer: number;
}

/**
 * A page as the browser keeps it, driven by the browser's own sequencer: its socket's pushes arrive late, out of
 * order and sometimes twice; it drops and comes back at random; it checks where its conversations stand every
 * so often, as the page does on a timer, and catches up over HTTP.
 */
class ChurnPage {
  readonly shown = new Map<number, { model: ConversationModel; sequencer: SequencerType }>();
  socket!: Socket;
  private closed = false;
  private dropping = false;
  private readonly lastArrival = new Map<number, number>();

  constructor(
    private readonly url: string,
    readonly client: Client,
    readonly userId: number,
    readonly conversations: number[],
    private readonly stats: Stats,
  ) {}

  async open(): Promise<void> {
    for (const id of this.conversations) {
      const html = (await this.client.agent.get(`/chat/conversations/${id}`).set('HX-Request', 'true')).text;
      const model = new ConversationModel();
      model.apply(html);
      const seq = Number(/class="chat-window[^"]*"[^>]*data-seq="(\d+)"/.exec(html)![1]);
      const sequencer = new Sequencer(seq, {
        apply: (change) => model.apply(change as string),
        catchUp: (from) => this.catchUp(id, from, model),
        gapMs: 300,
      });
      this.shown.set(id, { model, sequencer });
    }
    await this.connect();
  }

  private async catchUp(id: number, from: number, model: ConversationModel): Promise<number | null> {
    this.stats.catchUps++;
    const res = await this.client.agent.get(`/chat/conversations/${id}/changes?since=${from}`).set('HX-Request', 'true');
    if (res.status !== 200) return null;
    model.apply(res.text);
    return Number(/data-chat-changes="\d+" data-seq="(\d+)"/.exec(res.text)![1]);
  }

  async connect(): Promise<void> {
    const socket = connectSocket(this.url, this.client.sessionCookie(), {}, { locale: 'en' });
    this.socket = socket;
    const last = new Map<number, number>();
    // A change comes as a push of its own, or inside a new message's notification to its recipients.
    const onChange = (event: { conversationId: number; seq: number; html: string }) => {
      this.stats.pushes++;
      if (event.seq < (last.get(event.conversationId) ?? 0)) this.stats.reordered++;
      last.set(event.conversationId, Math.max(last.get(event.conversationId) ?? 0, event.seq));
      const deliver = () => this.shown.get(event.conversationId)?.sequencer.offer(event.seq, event.html);
      // Late, in any order, and now and then twice.
      const delay = random(150);
      const arrives = Date.now() + delay;
      if (arrives < (this.lastArrival.get(event.conversationId) ?? 0)) this.stats.late++;
      this.lastArrival.set(event.conversationId, Math.max(arrives, this.lastArrival.get(event.conversationId) ?? 0));
      setTimeout(deliver, delay);
      if (random(20) === 0) {
        this.stats.doubled++;
        setTimeout(deliver, random(400));
      }
    };
    socket.on('messages', onChange);
    socket.on('notify', (event: { conversationId: number; seq: number; message?: string }) => {
      if (typeof event.message === 'string') onChange({ conversationId: event.conversationId, seq: event.seq, html: event.message });
    });
    await connected(socket);
    for (const id of this.conversations) {
      socket.emit('conversation:join', id, (ok: boolean) => {
        if (ok) void this.shown.get(id)!.sequencer.resync();
      });
    }
  }

  /** Gone for a moment, then back: what it missed meanwhile comes with the catch-up after joining again. */
  async drop(): Promise<void> {
    // One at a time: a drop while the page is still coming back would close a socket that is still connecting.
    if (this.dropping) return;
    this.dropping = true;
    this.stats.drops++;
    this.socket.close();
    await settle(50 + random(400));
    if (!this.closed) await this.connect();
    this.dropping = false;
  }

  check(): void {
    if (!this.socket.connected) return;
    this.socket.emit('sync', this.conversations, (positions: { id: number; seq: number }[]) => {
      for (const p of positions) this.shown.get(p.id)?.sequencer.check(p.seq);
    });
  }

  send(conversationId: number, body: string): Promise<{ ok: boolean; html?: string }> {
    const payload = { conversationId, clientId: randomUUID(), body };
    const viaHttp = async () => {
      const res = await this.client.post(`/chat/conversations/${conversationId}/messages`, { clientId: payload.clientId, body }, { htmx: true });
      return { ok: res.status < 300, html: res.text };
    };
    if (!this.socket.connected) return viaHttp();
    return new Promise((resolve) =>
      this.socket.timeout(5000).emit('message:send', payload, (err: Error | null, ack: { ok: boolean; seq?: number; html?: string }) => {
        // No answer: the composer sends again with the same client id, which never stores a second message.
        if (err) return void viaHttp().then(resolve);
        // The sending page's copy comes with the answer, as the composer takes it (no push brings it).
        if (ack.ok && ack.html) this.shown.get(conversationId)?.sequencer.offer(ack.seq!, ack.html);
        resolve(ack);
      }),
    );
  }

  close(): void {
    this.closed = true;
    this.socket.close();
    for (const { sequencer } of this.shown.values()) sequencer.close();
  }
}

describe('delivery under churn', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Thousands of messages a minute from a dozen people: the limits have tests of their own.
    t = await startTestApp({ RATE_LIMITS: 'false' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  /** Drops the n-th message push the server makes: a push that was never sent, as after a database blip. */
  function dropOnePush(stats: Stats, at: number): void {
    const server = t.app.get(RealtimeGateway).server;
    const to = server.to.bind(server);
    let seen = 0;
    type Operator = ReturnType<typeof to>;
    const wrap = (op: Operator): Operator =>
      new Proxy(op, {
        get(target, key, receiver) {
          if (key === 'except') return (...args: Parameters<Operator['except']>) => wrap(target.except(...args));
          if (key === 'emit') {
            return (event: string, ...args: unknown[]) => {
              const change = event === 'messages' || (event === 'notify' && typeof (args[0] as { message?: unknown })?.message === 'string');
              if (change && ++seen === at) {
                stats.droppedOnServer++;
                return true;
              }
              return (target.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
            };
          }
          return Reflect.get(target, key, receiver);
        },
      });
    server.to = ((room: string | string[]) => wrap(to(room))) as typeof server.to;
  }

  it('leaves every page showing exactly what the database holds: nothing lost, doubled, stale or undeleted', async () => {
    const stats: Stats = { pushes: 0, reordered: 0, late: 0, doubled: 0, drops: 0, catchUps: 0, droppedOnServer: 0 };
    const company = await createCompany(t.em());
    const users: User[] = [];
    for (let i = 0; i < USERS; i++) users.push(await createUser(t.em(), company, { name: `Churn ${i}`, role: i === 0 ? 'admin' : 'user' }));
    const clients = await Promise.all(users.map((u) => signedIn(t.url, u.email)));
    const members = new Map<number, number[]>();
    // Groups of three to five, as a company's teams are: every page shows a few conversations.
    const groups = [
      [0, 1, 2],
      [0, 3, 4, 5],
      [2, 4, 6, 8, 9],
      [1, 5, 7, 9],
      [3, 6, 8],
    ];
    for (const [g, group] of groups.entries()) {
      const id = await createGroup(clients[group[0]], `Churn group ${g}`, group.slice(1).map((i) => users[i].id));
      members.set(id, group);
    }
    for (const [a, b] of [
      [0, 1],
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
      [9, 0],
    ]) {
      members.set(await directConversation(clients[a], users[b].id), [a, b]);
    }
    const conversationsOf = (i: number) => [...members].filter(([, m]) => m.includes(i)).map(([id]) => id);

    const pages: ChurnPage[] = [];
    for (let i = 0; i < USERS; i++) {
      for (let p = 0; p < PAGES_PER_USER; p++) pages.push(new ChurnPage(t.url, clients[i], users[i].id, conversationsOf(i), stats));
    }
    expect(pages.length).toBeGreaterThanOrEqual(50);
    await Promise.all(pages.map((p) => p.open()));
    const checks = setInterval(() => pages.forEach((p) => p.check()), 1000);
    dropOnePush(stats, 300);

    // Who wrote what where, to edit and delete later.
    const written: { id: number; conversationId: number; author: number }[] = [];
    let done = 0;
    const started = Date.now();
    const operate = async () => {
      const i = random(USERS);
      const client = clients[i];
      const mine = written.filter((w) => w.author === i);
      const roll = random(100);
      if (roll < 3) return pick(pages).drop();
      if (roll < 60 || mine.length === 0) {
        const conversationId = pick(conversationsOf(i));
        const page = pick(pages.filter((p) => p.userId === users[i].id));
        const sent = await page.send(conversationId, `m${done} <from ${i}> & more`);
        const [message] = sent.html ? messagesIn(sent.html) : [];
        if (sent.ok && message) written.push({ id: message.id, conversationId, author: i });
        return;
      }
      const target = pick(mine);
      const edit = () => client.agent.patch(`/chat/messages/${target.id}`).set('X-CSRF-Token', client.csrf).type('form').send({ body: `edited ${done} by ${i}` });
      const remove = () => client.agent.delete(`/chat/messages/${target.id}`).set('X-CSRF-Token', client.csrf);
      if (roll < 80) await edit();
      else if (roll < 92) await remove();
      // An edit racing a deletion of the same message.
      else await Promise.all([edit(), remove()]);
    };
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (done < OPERATIONS) {
          done++;
          await operate();
        }
      }),
    );

    const operating = Date.now() - started;
    // Settled: every page comes back and checks, as it does on its timer, until it shows what the database holds.
    const rows = await t
      .em()
      .getConnection()
      .execute<{ id: string; conversation_id: number; body: string; edited_at: Date | null; deleted_at: Date | null }[]>(
        `select id, conversation_id, body, edited_at, deleted_at from message where company_id = ? order by id`,
        [company.id],
      );
    const expected = new Map<number, { id: number; text: string; edited: boolean; deleted: boolean }[]>();
    for (const row of rows) {
      const list = expected.get(row.conversation_id) ?? [];
      list.push({ id: Number(row.id), text: row.deleted_at ? '' : row.body, edited: !!row.edited_at && !row.deleted_at, deleted: !!row.deleted_at });
      expected.set(row.conversation_id, list);
    }
    const problems = () => {
      const found = { lost: 0, doubled: 0, stale: 0, undeleted: 0 };
      for (const page of pages) {
        for (const [conversationId, { model }] of page.shown) {
          const shown = model.list();
          const byId = new Map(shown.map((s) => [s.id, s]));
          if (byId.size !== shown.length) found.doubled += shown.length - byId.size;
          for (const want of expected.get(conversationId) ?? []) {
            const got = byId.get(want.id);
            if (!got) found.lost++;
            else if (want.deleted && !got.deleted) found.undeleted++;
            else if (got.text !== want.text || got.edited !== want.edited || got.deleted !== want.deleted) found.stale++;
          }
        }
      }
      return found;
    };
    await Promise.all(pages.filter((p) => !p.socket.connected).map((p) => p.connect()));
    let found = problems();
    for (let round = 0; round < 40 && Object.values(found).some(Boolean); round++) {
      await settle(500);
      found = problems();
    }
    clearInterval(checks);
    pages.forEach((p) => p.close());
    const settling = Date.now() - started - operating;

    const deletedWithText = rows.filter((r) => r.deleted_at && r.body !== '').length;
    console.log(
      `churn: ${pages.length} pages, ${OPERATIONS} operations in ${operating} ms (settled in ${settling} ms), ${rows.length} messages; ${stats.pushes} pushes (${stats.reordered} out of order on the wire, ` +
        `${stats.doubled} delivered twice, ${stats.late} reordered on the way), ${stats.drops} drops, ${stats.droppedOnServer} push dropped on the server, ${stats.catchUps} catch-ups; ` +
        `lost ${found.lost}, doubled ${found.doubled}, stale ${found.stale}, undeleted ${found.undeleted}; deleted rows keeping text ${deletedWithText}`,
    );
    expect(found).toEqual({ lost: 0, doubled: 0, stale: 0, undeleted: 0 });
    expect(deletedWithText).toBe(0);
    expect(stats.droppedOnServer).toBe(1);
    expect(stats.drops).toBeGreaterThan(10);
    expect(rows.some((r) => r.deleted_at)).toBe(true);
    expect(rows.some((r) => r.edited_at && !r.deleted_at)).toBe(true);
  }, 240_000);
});
