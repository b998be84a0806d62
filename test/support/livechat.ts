import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { io, Socket } from 'socket.io-client';
import type { Company } from '../../src/accounts/company.entity';
import type { User } from '../../src/accounts/user.entity';
import { Page } from './chat';
import { createCompany, createUser, unique } from './factories';
import { Client, signedIn } from './http-client';
import type { TestApp } from './test-app';

export const ORIGIN = 'https://shop.example.com';

/** A company with the API add-on and its widget switched on (settings written straight in, as the admin's form would). */
export async function livechatCompany(
  t: TestApp,
  settings: Partial<{ maxChats: number; rerouteSeconds: number; origins: string[]; nameField: string; emailField: string; consent: string }> = {},
  options: { plan?: 'professional' | 'enterprise' | 'start'; apiAddon?: boolean } = {},
): Promise<{ company: Company; key: string }> {
  const company = await createCompany(t.em(), { plan: options.plan ?? 'professional', apiAddon: options.apiAddon ?? true });
  const key = `k${randomUUID().replace(/-/g, '')}`;
  await t
    .em()
    .getConnection()
    .execute(
      `insert into livechat_settings (company_id, public_key, enabled, origins, max_chats, reroute_seconds, name_field, email_field, consent, title)
       values (?, ?, true, ?::text[], ?, ?, ?, ?, ?, 'Talk to us')`,
      [
        company.id,
        key,
        `{${(settings.origins ?? [ORIGIN]).join(',')}}`,
        settings.maxChats ?? 3,
        settings.rerouteSeconds ?? 60,
        settings.nameField ?? 'optional',
        settings.emailField ?? 'optional',
        settings.consent ?? '',
      ],
    );
  return { company, key };
}

export interface Consultant {
  user: User;
  client: Client;
  page: Page;
}

/** A user configured for Livechat, signed in with a page open, in the given status (Livechat consultant by default). */
export async function consultant(t: TestApp, company: Company, status = 'livechat', name = unique('Consultant')): Promise<Consultant> {
  const user = await createUser(t.em(), company, { name });
  await t
    .em()
    .getConnection()
    .execute(`update app_user set livechat_configured = true, callback_configured = ? where id = ?`, [status.includes('callback'), user.id]);
  user.livechatConfigured = true;
  const client = await signedIn(t.url, user.email);
  const page = await Page.open(t.url, client);
  // The socket's presence row is written just after it connects.
  await eventually(async () => {
    const [row] = await t.em().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from presence_socket where user_id = ?`, [user.id]);
    if (!row.n) throw new Error(`${name} has no live socket yet`);
  });
  await choose(client, status);
  return { user, client, page };
}

export async function choose(client: Client, status: string): Promise<void> {
  const res = await client.post('/presence/status', { status }, { htmx: true });
  if (res.status !== 204) throw new Error(`choosing ${status} gave ${res.status}`);
}

/** A website visitor: the widget's API, with the token the server issued. */
export class Visitor {
  token = '';
  chat = '';
  socket?: Socket;
  readonly messages: { chat: string; seq: number; html: string }[] = [];
  readonly statuses: { chat: string; html: string }[] = [];

  constructor(
    readonly url: string,
    readonly key: string,
    readonly origin = ORIGIN,
  ) {}

  get api(): string {
    return `/livechat/${this.key}/api`;
  }

  async issue(): Promise<this> {
    const res = await request(this.url).post(`${this.api}/visitor`).set('Origin', this.origin);
    if (res.status !== 201) throw new Error(`no token: ${res.status}`);
    this.token = res.body.token;
    return this;
  }

  get(path: string) {
    return request(this.url).get(`${this.api}/${path}`).set('Origin', this.origin).set('X-Livechat-Token', this.token);
  }

  post(path: string, form: Record<string, string>) {
    return request(this.url).post(`${this.api}/${path}`).set('Origin', this.origin).set('X-Livechat-Token', this.token).type('form').send(form);
  }

  /** Starts a chat (or writes in the open one) and keeps its public id. */
  async start(body = 'Hello, I need help', fields: Record<string, string> = {}) {
    const res = await this.post('chats', { clientId: randomUUID(), body, ...fields });
    const id = /data-chat="([^"]+)"/.exec(res.text)?.[1];
    if (id) this.chat = id;
    return res;
  }

  send(body: string, clientId = randomUUID()) {
    return this.post(`chats/${this.chat}/messages`, { clientId, body });
  }

  async connect(locale = 'en'): Promise<Socket> {
    const socket = io(`${this.url}/livechat`, {
      transports: ['websocket'],
      auth: { key: this.key, token: this.token, locale },
      extraHeaders: { Origin: this.origin },
      reconnection: false,
      forceNew: true,
    });
    socket.on('message', (e: { chat: string; seq: number; html: string }) => this.messages.push(e));
    socket.on('status', (e: { chat: string; html: string }) => this.statuses.push(e));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    this.socket = socket;
    return socket;
  }

  close(): void {
    this.socket?.close();
  }
}

/** Polls until the check passes (or fails with its last error). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Where a company's chats stand: status and consultant by public id. */
export async function chatRows(t: TestApp, companyId: number) {
  return t
    .em()
    .getConnection()
    .execute<{ public_id: string; status: string; consultant_id: number | null }[]>(
      `select public_id, status, consultant_id from livechat_chat where company_id = ? order by id`,
      [companyId],
    );
}

export async function assignedTo(t: TestApp, publicId: string): Promise<number | null> {
  const [row] = await t
    .em()
    .getConnection()
    .execute<{ consultant_id: number | null }[]>(`select consultant_id from livechat_chat where public_id = ?`, [publicId]);
  return row?.consultant_id ?? null;
}

export { signedIn };

/** A test file's visitors and consultants: every socket and page they open is closed after the file. */
export class LivechatCast {
  private readonly closers: (() => void)[] = [];

  constructor(private readonly app: () => TestApp) {}

  visitor = async (key: string, origin = ORIGIN): Promise<Visitor> => {
    const v = await new Visitor(this.app().url, key, origin).issue();
    this.closers.push(() => v.close());
    return v;
  };

  consultant = async (company: Company, status?: string, name?: string): Promise<Consultant> => {
    const c = await consultant(this.app(), company, status, name);
    this.closers.push(() => c.page.close());
    return c;
  };

  chatId = async (publicId: string): Promise<number> => {
    const [row] = await this.app().em().getConnection().execute<{ id: number }[]>(`select id from livechat_chat where public_id = ?`, [publicId]);
    return row.id;
  };

  close(): void {
    this.closers.forEach((c) => c());
  }
}
