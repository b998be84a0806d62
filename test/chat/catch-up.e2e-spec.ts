import { Message } from '../../src/chat/message.entity';
import { directConversation, Page, send, settle } from '../support/chat';
import { createCompany, createUser, insertMessages } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

interface Shown {
  id: number;
  seq: number;
  text: string;
  deleted: boolean;
  edited: boolean;
}

/** What a page shows of a conversation, kept the way the browser glue keeps it: by element id, newest change wins. */
class ConversationModel {
  readonly messages = new Map<string, Shown>();
  seq = 0;

  apply(html: string): void {
    const windowSeq = /data-chat-messages="\d+" data-seq="(\d+)"/.exec(html) ?? /class="chat-window[^"]*"[^>]*data-seq="(\d+)"/.exec(html);
    if (windowSeq) this.seq = Math.max(this.seq, Number(windowSeq[1]));
    for (const li of html.matchAll(/<li id="(m-[^"]+)" class="msg [^"]*?"[^>]*data-message-id="(\d+)" data-seq="(\d+)"[\s\S]*?<\/li>/g)) {
      const [whole, domId, id, seq] = li;
      const shown: Shown = {
        id: Number(id),
        seq: Number(seq),
        deleted: /class="msg [^"]*deleted"/.test(whole),
        edited: whole.includes('class="edited"'),
        text: (/<div class="msg-body"[^>]*>([\s\S]*?)<\/div>/.exec(whole)?.[1] ?? '').trim(),
      };
      const current = this.messages.get(domId);
      if (!current || current.seq <= shown.seq) this.messages.set(domId, shown);
      this.seq = Math.max(this.seq, shown.seq);
    }
  }
}

describe('catching up after a dropped connection', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A hundred messages a test, faster than anyone types: the limits have tests of their own.
    t = await startTestApp({ RATE_LIMITS: 'false' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  async function edit(client: Client, id: number, body: string) {
    await client.agent.patch(`/chat/messages/${id}`).set('X-CSRF-Token', client.csrf).type('form').send({ body });
  }
  async function remove(client: Client, id: number) {
    await client.agent.delete(`/chat/messages/${id}`).set('X-CSRF-Token', client.csrf);
  }

  it('ends with exactly the database’s state after a drop in the middle of sends, edits and deletes', async () => {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company);
    const bob = await createUser(t.em(), company);
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    const conversationId = await directConversation(a, bob.id);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await send(a, conversationId, `before ${i}`)).id!);

    const model = new ConversationModel();
    model.apply((await b.agent.get(`/chat/conversations/${conversationId}`).set('HX-Request', 'true')).text);
    let page = await Page.open(t.url, b, [conversationId]);
    let applied = 0;
    const follow = (p: Page) =>
      setInterval(() => {
        while (applied < p.html.length) model.apply(p.html[applied++]);
      }, 5);
    let timer = follow(page);

    // A stream of changes from both sides; the page drops out in the middle of it.
    for (let step = 0; step < 40; step++) {
      if (step === 15) {
        page.close();
        clearInterval(timer);
        while (applied < page.html.length) model.apply(page.html[applied++]);
      }
      const author = step % 3 === 0 ? b : a;
      const { id } = await send(author, conversationId, `during ${step}`);
      if (author === a) ids.push(id!);
      if (step % 4 === 1) await edit(a, ids[ids.length - 2], `edited at ${step}`);
      if (step % 7 === 2) await remove(a, ids[Math.floor(ids.length / 2)]);
      if (step === 25) await edit(a, ids[0], 'edited long ago');
    }

    page = await Page.open(t.url, b, [conversationId]);
    applied = 0;
    timer = follow(page);
    const catchUp = await b.agent.get(`/chat/conversations/${conversationId}/changes?since=${model.seq}`).set('HX-Request', 'true');
    expect(catchUp.status).toBe(200);
    model.apply(catchUp.text);
    await settle();
    clearInterval(timer);
    page.close();

    const rows = await t.em().find(Message, { conversation: conversationId }, { filters: false, orderBy: { id: 'asc' } });
    const expected = rows.map((m) => ({ id: m.id, deleted: !!m.deletedAt, edited: !!m.editedAt && !m.deletedAt, text: m.deletedAt ? '' : m.body }));
    const shown = [...model.messages.values()].sort((x, y) => x.id - y.id).map(({ id, deleted, edited, text }) => ({ id, deleted, edited, text }));
    expect(shown).toEqual(expected);
    expect(rows.length).toBe(45);
    expect(rows.some((m) => m.deletedAt)).toBe(true);
    expect(rows.some((m) => m.editedAt && !m.deletedAt)).toBe(true);
  }, 60_000);

  it('asks the page to reload the window when more was missed than a catch-up carries', async () => {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company);
    const bob = await createUser(t.em(), company);
    const a = await signedIn(t.url, ann.email);
    const conversationId = await directConversation(a, bob.id);
    const em = t.em();
    // 501 changes since sequence 0, written directly to keep the test quick.
    await insertMessages(em, { companyId: company.id, conversationId, authorId: ann.id }, 501);
    await em.getConnection().execute(`update conversation set change_seq = 501 where id = ?`, [conversationId]);
    const b = await signedIn(t.url, bob.email);
    expect((await b.agent.get(`/chat/conversations/${conversationId}/changes?since=0`)).status).toBe(409);
    expect((await b.agent.get(`/chat/conversations/${conversationId}/changes?since=1`)).status).toBe(200);
  });
});
