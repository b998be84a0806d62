import { randomUUID } from 'node:crypto';
import { Socket } from 'socket.io-client';
import { Client } from './http-client';
import { connected, connectSocket } from './sockets';

/** Opens (creating on first use) the one-to-one conversation with a colleague and returns its id. */
export async function directConversation(client: Client, otherUserId: number): Promise<number> {
  const res = await client.agent.get(`/chat/users/${otherUserId}`).set('HX-Request', 'true');
  if (res.status !== 200) throw new Error(`opening the conversation with ${otherUserId} gave ${res.status}`);
  return Number(/data-conversation-id="(\d+)"/.exec(res.text)![1]);
}

export async function createGroup(client: Client, name: string, memberIds: number[]): Promise<number> {
  await client.load('/chat/groups/new');
  const res = await client.agent
    .post('/chat/groups')
    .type('form')
    .send(`_csrf=${encodeURIComponent(client.csrf)}&name=${encodeURIComponent(name)}${memberIds.map((id) => `&members=${id}`).join('')}`);
  if (res.status !== 303) throw new Error(`creating group ${name} gave ${res.status}: ${res.text.slice(0, 200)}`);
  return Number(/\/chat\/conversations\/(\d+)/.exec(res.headers.location)![1]);
}

export async function send(client: Client, conversationId: number, body: string, clientId: string = randomUUID(), extra: Record<string, string> = {}) {
  const res = await client.post(`/chat/conversations/${conversationId}/messages`, { clientId, body, ...extra }, { htmx: true });
  const id = /data-message-id="(\d+)"/.exec(res.text)?.[1];
  return { res, clientId, id: id ? Number(id) : undefined };
}

/** A page's socket: connected with the session cookie, showing the given conversations, recording what it receives. */
export class Page {
  /** Everything pushed as HTML, in arrival order: message changes, watermarks (as data-read), badges and the rest. */
  readonly html: string[] = [];
  /** The message changes, as pushed: conversation, change sequence, HTML. */
  readonly changes: { conversationId: number; seq: number; html: string }[] = [];
  readonly reads: { conversationId: number; read: string }[] = [];
  readonly notified: unknown[] = [];
  readonly refreshed: unknown[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('html', (h: string) => this.html.push(h));
    socket.on('messages', (e: { conversationId: number; seq: number; html: string }) => {
      this.changes.push(e);
      this.html.push(e.html);
    });
    socket.on('read', (e: { conversationId: number; read: string }) => {
      this.reads.push(e);
      this.html.push(`data-read="${e.read}" data-conversation="${e.conversationId}"`);
    });
    // A new message's notification carries the message (for its window) and the new badge.
    socket.on('notify', (e: { conversationId: number; authorName: string; html: string; seq: number; message?: string; entry: string }) => {
      if (typeof e.message === 'string') {
        this.changes.push({ conversationId: e.conversationId, seq: e.seq, html: e.message });
        this.html.push(e.message);
      }
      this.html.push(e.html);
      this.notified.push({ conversationId: e.conversationId, authorName: e.authorName, entry: e.entry });
    });
    socket.on('refresh', (e: unknown) => this.refreshed.push(e));
  }

  static async open(url: string, client: Client, conversations: number[] = [], locale = 'en'): Promise<Page> {
    const socket = connectSocket(url, client.sessionCookie(), {}, { locale });
    const page = new Page(socket);
    await connected(socket);
    for (const id of conversations) await page.join(id);
    return page;
  }

  join(conversationId: number): Promise<boolean> {
    return new Promise((resolve) => this.socket.emit('conversation:join', conversationId, resolve));
  }

  received(): string {
    return this.html.join('\n');
  }

  /** Waits until something pushed matches, or fails with what did arrive. */
  async waitFor(pattern: RegExp | string, timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const test = (s: string) => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
    while (Date.now() < deadline) {
      const hit = this.html.find(test);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no push matching ${pattern} within ${timeoutMs} ms; received:\n${this.received().slice(0, 2000)}`);
  }

  close(): void {
    this.socket.close();
  }
}

/** Lets in-flight pushes land before asserting that something did NOT arrive. */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
