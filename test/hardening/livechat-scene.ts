import { randomBytes, randomUUID } from 'node:crypto';
import type { Company } from '../../src/accounts/company.entity';
import type { User } from '../../src/accounts/user.entity';
import { sha256 } from '../../src/security/tokens';
import { ORIGIN } from '../support/livechat';
import type { TestApp } from '../support/test-app';
import type { HttpRoute } from './raw-http';

/** A website visitor of the scene's widget: its allowed origin and a token the server knows (or another visitor's). */
export class WidgetVisitor {
  constructor(
    readonly label: string,
    private readonly token: () => string,
  ) {}

  headers(): Record<string, string> {
    return { Origin: ORIGIN, 'X-Livechat-Token': this.token() };
  }

  async refresh(): Promise<void> {}
}

/**
 * The scene's Livechat: the company's widget switched on, a visitor with an open chat answered by the company's
 * admin, and a second visitor of the same widget (whose token must open nothing of the first one's).
 */
export class LivechatScene {
  readonly key = `k${randomBytes(16).toString('hex')}`;
  token = '';
  otherToken = '';
  chat = { id: 0, publicId: '' };

  constructor(
    private readonly t: TestApp,
    private readonly company: Company,
    private readonly consultant: User,
  ) {}

  readonly visitors = [new WidgetVisitor('widget visitor', () => this.token), new WidgetVisitor("another visitor's token", () => this.otherToken)];

  /** Real values for the Livechat routes' parameters; undefined for a route that is not Livechat's. */
  params(route: HttpRoute): Record<string, string>[] | undefined {
    const p = route.path;
    if (p.startsWith('/livechat/:key')) return [{ key: this.key, chat: this.chat.publicId }];
    if (p.startsWith('/livechat/chats/:id') || p.startsWith('/livechat/conversations/:id')) return [{ id: String(this.chat.id) }];
    return undefined;
  }

  /** Brings back the widget, the visitors and the open chat with a message, whatever fuzzing closed, rated or deleted. */
  async repair(): Promise<void> {
    const db = this.t.em().getConnection();
    await db.execute(
      `insert into livechat_settings (company_id, public_key, enabled, origins, title) values (?, ?, true, ?::text[], 'Fuzz')
       on conflict (company_id) do update set public_key = excluded.public_key, enabled = true, origins = excluded.origins`,
      [this.company.id, this.key, `{${ORIGIN}}`],
    );
    await db.execute(`update app_user set livechat_configured = true, active = true where id = ?`, [this.consultant.id]);
    const visitor = async (token: string) => {
      const [row] = await db.execute<{ id: number }[]>(
        `insert into livechat_visitor (company_id, token_hash, name) values (?, ?, 'Fuzz visitor')
         on conflict (token_hash) do update set last_seen_at = now() returning id`,
        [this.company.id, sha256(token)],
      );
      return row.id;
    };
    this.token ||= randomBytes(32).toString('base64url');
    this.otherToken ||= randomBytes(32).toString('base64url');
    const visitorId = await visitor(this.token);
    await visitor(this.otherToken);
    const [chat] = await db.execute<{ id: number; public_id: string }[]>(
      `select id, public_id from livechat_chat where visitor_id = ? and status <> 'closed'`,
      [visitorId],
    );
    if (chat) {
      this.chat = { id: chat.id, publicId: chat.public_id };
      await db.execute(`update livechat_chat set status = 'active', consultant_id = ?, answer_deadline = null where id = ?`, [this.consultant.id, chat.id]);
    } else {
      const publicId = randomBytes(18).toString('base64url');
      const [made] = await db.execute<{ id: number }[]>(
        `insert into livechat_chat (public_id, company_id, visitor_id, status, consultant_id, assigned_at, seq, last_message_at)
         values (?, ?, ?, 'active', ?, now(), 1, now()) returning id`,
        [publicId, this.company.id, visitorId, this.consultant.id],
      );
      await db.execute(
        `insert into livechat_message (company_id, chat_id, seq, author, author_name, client_id, body) values (?, ?, 1, 'visitor', 'Fuzz visitor', ?, 'a message to fuzz')`,
        [this.company.id, made.id, randomUUID()],
      );
      this.chat = { id: made.id, publicId };
    }
  }
}
