import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { User } from '../accounts/user.entity';
import type { OpenConversation } from '../chat/conversations.service';
import { newToken } from '../security/tokens';
import { GroupTokensService } from './group-tokens.service';

export interface WebhookView {
  url: string;
  enabled: boolean;
  failuresInARow: number;
  deliveries: {
    id: number;
    messageId: number;
    status: 'pending' | 'delivered' | 'failed';
    attempts: number;
    lastStatus: number | null;
    lastError: string | null;
    createdAt: Date;
    deliveredAt: Date | null;
  }[];
}

/** The webhook URL as typed: http(s) only, no credentials in it; where it may point is checked when it is called. */
export function parseWebhookUrl(text: string): string | null {
  try {
    const url = new URL(text.trim());
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || text.trim().length > 2000) return null;
    return url.toString();
  } catch {
    return null;
  }
}

/** A group's outgoing webhook, kept by its integration: set, shown with its latest deliveries, removed. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly em: EntityManager,
    private readonly tokens: GroupTokensService,
    private readonly events: EventEmitter2,
  ) {}

  async view(open: OpenConversation): Promise<WebhookView | null> {
    const companyId = open.conversation.company.id;
    const [hook] = await this.em
      .getConnection()
      .execute<{ id: number; url: string; enabled: boolean; failures_in_a_row: number }[]>(
        `select id, url, enabled, failures_in_a_row from webhook where conversation_id = ? and company_id = ?`,
        [open.conversation.id, companyId],
      );
    if (!hook) return null;
    const rows = await this.em.getConnection().execute<
      {
        id: string;
        message_id: string;
        status: 'pending' | 'delivered' | 'failed';
        attempts: number;
        last_status: number | null;
        last_error: string | null;
        created_at: string;
        delivered_at: string | null;
      }[]
    >(
      `select id, message_id, status, attempts, last_status, last_error, created_at, delivered_at from webhook_delivery
        where webhook_id = ? and company_id = ? order by id desc limit 20`,
      [hook.id, companyId],
    );
    const date = (v: string | null) => (v === null ? null : this.em.getPlatform().parseDate(v));
    return {
      url: hook.url,
      enabled: hook.enabled,
      failuresInARow: hook.failures_in_a_row,
      deliveries: rows.map((r) => ({
        id: Number(r.id),
        messageId: Number(r.message_id),
        status: r.status,
        attempts: r.attempts,
        lastStatus: r.last_status,
        lastError: r.last_error,
        createdAt: date(r.created_at)!,
        deliveredAt: date(r.delivered_at),
      })),
    };
  }

  /**
   * Sets the group's webhook (its integration must exist: a token made it). A new URL gets a new secret, shown
   * once; saving the same URL again turns a disabled webhook back on and keeps the secret.
   */
  async set(me: User, open: OpenConversation, url: string): Promise<{ secret?: string } | null> {
    this.tokens.assertManages(me, open);
    const integration = await this.tokens.integration(open);
    if (!integration) return null;
    const secret = `whsec_${newToken(24)}`;
    const [row] = await this.em.getConnection().execute<{ secret: string; fresh: boolean }[]>(
      `insert into webhook (company_id, integration_id, conversation_id, url, secret) values (?, ?, ?, ?, ?)
       on conflict (integration_id) do update
         set url = excluded.url, enabled = true, failures_in_a_row = 0,
             secret = case when webhook.url = excluded.url then webhook.secret else excluded.secret end
       returning secret, (xmax = 0 or secret = ?) as fresh`,
      [integration.company.id, integration.id, open.conversation.id, url, secret, secret],
    );
    this.events.emit('integrations.webhooks.changed');
    return row.fresh ? { secret } : {};
  }

  async remove(me: User, open: OpenConversation): Promise<void> {
    this.tokens.assertManages(me, open);
    await this.em
      .getConnection()
      .execute(`delete from webhook where conversation_id = ? and company_id = ?`, [open.conversation.id, open.conversation.company.id]);
    this.events.emit('integrations.webhooks.changed');
  }
}
