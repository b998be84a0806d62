import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { ChatMessageEvent } from '../chat/messages.service';

/** Attempts per delivery before it is given up as failed; between them 1 s, 2 s, 4 s … at most 5 minutes. */
export const MAX_ATTEMPTS = 8;
/** A webhook whose calls failed this many times in a row is turned off (an admin turns it on again by saving it). */
export const DISABLE_AFTER_FAILURES = 20;
const CALL_TIMEOUT_MS = 5000;
const POLL_MS = 1000;
/** Renewed before every call (at most 5 s each): a crashed instance holds its webhooks back this long, no longer. */
const LEASE_S = 20;
/** Deliveries sent in one lease, in order, before another webhook gets its turn. */
const PER_LEASE = 20;

interface Due {
  id: string;
  message_id: string;
  attempts: number;
}

/**
 * Sends the queued deliveries (the message trigger queues them in the send's own transaction): each webhook's
 * in the order of its messages, one at a time, signed (HMAC-SHA256 of "<timestamp>.<body>" with the webhook's
 * secret), retried with a growing pause, a failing one holding back the later ones so that order holds. A lease
 * on the webhook's row keeps two instances from sending for one webhook at once.
 */
@Injectable()
export class WebhookDeliveries implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('webhooks');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  /** Groups with a webhook: only their messages start a round at once (the others wait for no one). */
  private hooked = new Set<number>();

  constructor(
    private readonly orm: MikroORM,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    void this.refreshHooked();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  @OnEvent('integrations.webhooks.changed')
  async refreshHooked(): Promise<void> {
    try {
      const rows = await this.em()
        .getConnection()
        .execute<{ conversation_id: number }[]>(`select conversation_id from webhook /* all companies: which groups have a webhook */ where enabled`);
      this.hooked = new Set(rows.map((r) => r.conversation_id));
    } catch (err) {
      this.logger.warn(`webhooks not listed: ${String(err)}`);
    }
  }

  @OnEvent('chat.message')
  onMessage(event: ChatMessageEvent): void {
    if (event.kind === 'created' && this.hooked.has(event.conversationId)) this.kick();
  }

  /** A round of deliveries now, or right after the one running. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round()
      .catch((err: unknown) => this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err)))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  private async round(): Promise<void> {
    for (let hook = await this.lease(); hook && !this.stopped; hook = await this.lease()) {
      try {
        await this.deliver(hook);
      } finally {
        await this.em()
          .getConnection()
          .execute(`update webhook /* all companies: the lease this instance holds */ set leased_until = null where id = ?`, [hook.id]);
      }
    }
  }

  /** A webhook with a delivery due and no other instance at it, leased to this one. */
  private async lease(): Promise<{ id: number; company_id: number; url: string; secret: string } | undefined> {
    const [hook] = await this.em()
      .getConnection()
      .execute<{ id: number; company_id: number; url: string; secret: string }[]>(
        `update webhook w set leased_until = now() + make_interval(secs => ${LEASE_S})
        where w.id = (
          select h.id from webhook h /* all companies: the delivery worker serves every company's webhooks */
           where h.enabled and (h.leased_until is null or h.leased_until < now())
             /* its oldest pending delivery is due: a later one waits behind it (order), and no round spins on it */
             and (select d.next_attempt_at <= now() from webhook_delivery d
                   where d.webhook_id = h.id and d.company_id = h.company_id and d.status = 'pending' order by d.id limit 1)
           order by h.id limit 1 for update skip locked)
       returning w.id, w.company_id, w.url, w.secret`,
      );
    return hook;
  }

  private async deliver(hook: { id: number; company_id: number; url: string; secret: string }): Promise<void> {
    const db = this.em().getConnection();
    for (let sent = 0; sent < PER_LEASE && !this.stopped; sent++) {
      // Only the oldest pending one: a later message never overtakes an earlier one that is still being retried.
      const [due] = await db.execute<(Due & { due: boolean })[]>(
        `with renewed as (update webhook set leased_until = now() + make_interval(secs => ${LEASE_S}) where id = ? and company_id = ?)
         select id, message_id, attempts, next_attempt_at <= now() as due from webhook_delivery
          where webhook_id = ? and company_id = ? and status = 'pending' order by id limit 1`,
        [hook.id, hook.company_id, hook.id, hook.company_id],
      );
      if (!due?.due) return;
      const outcome = await this.call(hook, due);
      if (outcome.ok) {
        await db.execute(
          `with done as (update webhook_delivery set status = 'delivered', attempts = attempts + 1, last_status = ?, last_error = null, delivered_at = now()
                          where id = ? and company_id = ?)
           update webhook set failures_in_a_row = 0 where id = ? and company_id = ?`,
          [outcome.status, due.id, hook.company_id, hook.id, hook.company_id],
        );
        continue;
      }
      const attempts = due.attempts + 1;
      const [after] = await db.execute<{ enabled: boolean }[]>(
        `with failed as (update webhook_delivery
                            set attempts = ?, last_status = ?, last_error = ?, status = case when ? >= ${MAX_ATTEMPTS} then 'failed' else 'pending' end,
                                next_attempt_at = now() + make_interval(secs => ?)
                          where id = ? and company_id = ?)
         update webhook set failures_in_a_row = failures_in_a_row + 1, enabled = failures_in_a_row + 1 < ${DISABLE_AFTER_FAILURES}
          where id = ? and company_id = ? returning enabled`,
        [
          attempts,
          outcome.status ?? null,
          outcome.error.slice(0, 500),
          attempts,
          Math.min(300, 2 ** (attempts - 1)),
          due.id,
          hook.company_id,
          hook.id,
          hook.company_id,
        ],
      );
      if (after && !after.enabled) {
        this.logger.warn(`webhook ${hook.id} turned off after ${DISABLE_AFTER_FAILURES} failures in a row`);
        void this.refreshHooked();
      }
      return;
    }
    this.again = true; // more are due: another round, after the other webhooks had theirs
  }

  private async call(
    hook: { id: number; company_id: number; url: string; secret: string },
    due: Due,
  ): Promise<{ ok: true; status: number } | { ok: false; status?: number; error: string }> {
    const body = await this.payload(hook.company_id, Number(due.message_id), Number(due.id));
    if (!body) return { ok: true, status: 0 }; // the message is gone (its group was deleted): nothing to tell
    const refused = await this.refusedAddress(hook.url);
    if (refused) return { ok: false, error: refused };
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', hook.secret).update(`${timestamp}.${body}`).digest('hex');
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Gwar-Webhooks/1',
          'Gwar-Event': 'message.created',
          'Gwar-Delivery': due.id,
          'Gwar-Signature': `t=${timestamp},v1=${signature}`,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err) };
    }
  }

  /** Private, loopback and link-local addresses are out of reach unless the operator allows them (SSRF). */
  private async refusedAddress(url: string): Promise<string | undefined> {
    if (this.config.webhooksAllowPrivate) return undefined;
    try {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      const addresses = ipaddr.isValid(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
      const inner = addresses.find((a) => ipaddr.process(a).range() !== 'unicast');
      return inner ? `${host} is a private address (${inner}); set WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=true to allow it` : undefined;
    } catch (err) {
      return `cannot resolve the webhook's host: ${String(err)}`;
    }
  }

  private async payload(companyId: number, messageId: number, deliveryId: number): Promise<string | undefined> {
    const [m] = await this.em()
      .getConnection()
      .execute<
        {
          id: string;
          conversation_id: number;
          group_name: string | null;
          body: string;
          created_at: string;
          reply_to_id: string | null;
          author_id: number | null;
          author_name: string | null;
          display_name: string | null;
          integration_name: string | null;
          support_agent_id: number | null;
        }[]
      >(
        `select m.id, m.conversation_id, c.name as group_name, m.body, m.created_at, m.reply_to_id, m.author_id, a.name as author_name, m.display_name, m.integration_name, m.support_agent_id
         from message m
         join conversation c on c.id = m.conversation_id and c.company_id = ?
         left join app_user a on a.id = m.author_id and a.company_id = ?
        where m.id = ? and m.company_id = ?`,
        [companyId, companyId, messageId, companyId],
      );
    if (!m) return undefined;
    const author =
      m.author_id !== null ? { type: 'user', id: m.author_id, name: m.author_name } : { type: 'integration', name: m.display_name ?? m.integration_name };
    return JSON.stringify({
      event: 'message.created',
      deliveryId,
      message: {
        id: Number(m.id),
        groupId: m.conversation_id,
        groupName: m.group_name,
        text: m.body,
        author,
        replyToId: m.reply_to_id === null ? null : Number(m.reply_to_id),
        createdAt: this.orm.em.getPlatform().parseDate(m.created_at).toISOString(),
      },
    });
  }
}
