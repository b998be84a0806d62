import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { plansIncluding } from '../accounts/plans';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { textArray } from '../database/text-array';
import { UploadsService } from '../files/uploads.service';
import type { LivechatChatEvent } from './chats.service';
import { ON_DUTY } from './consultants';
import { intArray, sql } from './sql';
import { VisitorGateway } from './visitor.gateway';

/** Names the advisory locks that keep two instances from routing one company's chats at once. */
export const LOCK_SPACE = 7_240_016;

export interface Move {
  chatId: number;
  consultantId: number;
}

/** Who gained and who lost a chat in one routing pass of a company. */
export interface LivechatRouted {
  companyId: number;
  assigned: Move[];
  released: Move[];
  /** Waiting chats whose visitor had gone: closed unanswered, out of the queue. */
  missed: number[];
}

const OPEN = `('assigned', 'active')`;
/** How often an instance applies the retention setting. */
const PURGE_EVERY_MS = 60 * 60 * 1000;

/**
 * Routes each company's Livechat conversations to its consultants on duty: fewest open chats first, then the
 * longest since their last assignment, never above the cap. A chat not answered by its deadline, or whose
 * consultant left the Livechat statuses (or closed their last page), goes back to the head of the queue and
 * on to the next consultant; one who let it pass is asked last. Deadlines live in the database and every
 * instance sweeps for them every few seconds, so a restart loses none; a pass holds its company's advisory lock
 * (an instance that finds it taken leaves that company to the holder), so the cap holds across instances.
 */
@Injectable()
export class LivechatRouting implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('livechat-routing');
  private timer?: NodeJS.Timeout;
  private readonly due = new Set<number | 'sweep'>();
  private running?: Promise<void>;
  private stopped = false;
  private purgedAt = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly events: EventEmitter2,
    private readonly uploads: UploadsService,
    private readonly visitors: VisitorGateway,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.kick('sweep'), this.config.livechatSweepMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  @OnEvent('livechat.chat.closed')
  @OnEvent('livechat.visitor.erased')
  onChat(event: LivechatChatEvent): void {
    this.kick(event.companyId);
  }

  /** A consultant chose a status, or opened or closed their last page: their chats and the queue move at once. */
  @OnEvent('presence.chosen')
  @OnEvent('presence.changed')
  onPresence(event: { companyId: number }): void {
    this.kick(event.companyId);
  }

  /** A pass for a company (or a sweep of all) now, or right after the one running. */
  kick(what: number | 'sweep'): void {
    if (this.stopped) return;
    this.due.add(what);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves when every pass asked for so far has run (tests wait on it). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.due.size && !this.stopped) {
      const [next] = this.due;
      this.due.delete(next);
      try {
        if (next === 'sweep' && Date.now() - this.purgedAt > PURGE_EVERY_MS) {
          this.purgedAt = Date.now();
          await this.purge();
        }
        const companies = next === 'sweep' ? await this.companiesToRoute() : [next];
        for (const companyId of companies) await this.route(companyId);
      } catch (err) {
        this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      }
    }
  }

  /**
   * Retention: a visitor not seen for longer than their company's setting goes, with their chats and messages
   * (unless a chat of theirs is still open), and so do messages left that long ago. Idempotent, so every
   * instance may run it.
   */
  async purge(): Promise<void> {
    const em = this.em();
    const expired = `s.company_id = v.company_id and v.last_seen_at < now() - make_interval(days => s.retention_days)
          and not exists (select 1 from livechat_chat c where c.visitor_id = v.id and c.status <> 'closed')`;
    const candidates = await sql<{ id: number }>(
      em,
      `/* all companies: Livechat retention */ select v.id from livechat_visitor v join livechat_settings s on ${expired}`,
    );
    if (candidates.length) {
      const ids = candidates.map((c) => c.id);
      const files = await sql<{ visitor_id: number; storage_key: string; thumb_key: string | null }>(
        em,
        `/* all companies: Livechat retention */ select c.visitor_id, f.storage_key, f.thumb_key
           from livechat_file f join livechat_chat c on c.id = f.chat_id where c.visitor_id = any(?::int[])`,
        [intArray(ids)],
      );
      const deleted = await sql<{ id: number }>(
        em,
        `/* all companies: Livechat retention */
         delete from livechat_visitor v using livechat_settings s where v.id = any(?::int[]) and ${expired} returning v.id`,
        [intArray(ids)],
      );
      // The stored bytes go with the rows (a visitor who came back in between keeps theirs).
      const gone = new Set(deleted.map((d) => d.id));
      await this.uploads.discard(files.filter((f) => gone.has(f.visitor_id)).flatMap((f) => [f.storage_key, f.thumb_key]));
    }
    await sql(
      em,
      `/* all companies: Livechat retention */
       delete from livechat_left_message m using livechat_settings s
        where s.company_id = m.company_id and m.created_at < now() - make_interval(days => s.retention_days)`,
    );
    // Proof-of-work solutions past their challenge's expiry can no longer be replayed anyway.
    await sql(em, `delete from livechat_pow_used where expires_at < now()`);
  }

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** Companies with a chat waiting, past its deadline, or held by someone no longer on duty. */
  private async companiesToRoute(): Promise<number[]> {
    const rows = await sql<{ company_id: number }>(
      this.em(),
      `/* all companies: the sweep for Livechat conversations to route */
       select distinct c.company_id from livechat_chat c join company co on co.id = c.company_id
        where co.api_addon and co.plan = any(?::text[]) and c.status <> 'closed'
          and (c.status = 'waiting' or (c.status = 'assigned' and c.answer_deadline <= now()) or c.consultant_id is null
               or not exists (select 1 from app_user u where u.id = c.consultant_id and u.company_id = c.company_id and ${ON_DUTY}))`,
      [textArray(plansIncluding('livechat'))],
    );
    return rows.map((r) => r.company_id);
  }

  /**
   * One routing pass of a company. In the background it is skipped when another pass holds the company (that
   * one, or the next sweep, routes what this one would have); a visitor's new chat waits for its turn instead,
   * so the answer already says whether they are in a queue.
   */
  async route(companyId: number, options: { wait?: boolean } = {}): Promise<void> {
    const gone = await this.abandoned(companyId);
    const routed = await this.em().transactional(async (em) => {
      if (options.wait) await sql(em, `select pg_advisory_xact_lock(?, ?)`, [LOCK_SPACE, companyId]);
      else {
        const [lock] = await sql<{ ok: boolean }>(em, `select pg_try_advisory_xact_lock(?, ?) as ok`, [LOCK_SPACE, companyId]);
        if (!lock.ok) return null;
      }
      const [settings] = await sql<{ max_chats: number; reroute_seconds: number }>(
        em,
        `select max_chats, reroute_seconds from livechat_settings where company_id = ?`,
        [companyId],
      );
      // Still gone (not seen since, no widget open then): closed as missed, so the queue behind them moves up.
      const missed = gone.length
        ? await sql<{ id: number }>(
            em,
            `update livechat_chat c set status = 'closed', closed_at = now(), answer_deadline = null
               from livechat_visitor v
              where c.id = any(?::int[]) and c.company_id = ? and c.status = 'waiting' and v.id = c.visitor_id
                and v.last_seen_at < now() - make_interval(secs => ?)
              returning c.id`,
            [intArray(gone), companyId, this.config.livechatAbandonSeconds],
          )
        : [];
      const cap = settings?.max_chats ?? 3;
      const deadline = settings?.reroute_seconds ?? 60;
      const released = await sql<{ chat_id: number; consultant_id: number | null }>(
        em,
        `with gone as (
           select c.id, c.consultant_id from livechat_chat c
            where c.company_id = ? and c.status in ${OPEN}
              and ((c.status = 'assigned' and c.answer_deadline <= now()) or c.consultant_id is null
                   or not exists (select 1 from app_user u where u.id = c.consultant_id and u.company_id = c.company_id and ${ON_DUTY}))
            for update)
         update livechat_chat c set status = 'waiting', consultant_id = null, answer_deadline = null,
                passed_by = case when gone.consultant_id is null then c.passed_by else array_append(c.passed_by, gone.consultant_id) end
           from gone where c.id = gone.id
         returning c.id as chat_id, gone.consultant_id`,
        [companyId],
      );
      const assigned: Move[] = [];
      const waiting = await sql<{ id: number; passed_by: number[] }>(
        em,
        `select id, passed_by from livechat_chat where company_id = ? and status = 'waiting' order by queued_at, id for update`,
        [companyId],
      );
      for (const chat of waiting) {
        const [pick] = await sql<{ id: number }>(
          em,
          `select u.id from app_user u
             left join livechat_consultant lc on lc.user_id = u.id and lc.company_id = u.company_id
             cross join lateral (select count(*)::int as n from livechat_chat o
                                  where o.consultant_id = u.id and o.company_id = u.company_id and o.status in ${OPEN}) open
            where u.company_id = ? and ${ON_DUTY} and open.n < ?
            order by (u.id = any(?::int[])), open.n, lc.last_assigned_at nulls first, u.id
            limit 1`,
          [companyId, cap, intArray(chat.passed_by ?? [])],
        );
        if (!pick) break; // nobody under the cap: the rest wait, in order
        await sql(
          em,
          `update livechat_chat set status = 'assigned', consultant_id = ?, assigned_at = now(),
                  answer_deadline = now() + make_interval(secs => ?) where id = ? and company_id = ?`,
          [pick.id, deadline, chat.id, companyId],
        );
        await sql(
          em,
          `insert into livechat_consultant (user_id, company_id, last_assigned_at) values (?, ?, clock_timestamp())
           on conflict (user_id) do update set last_assigned_at = excluded.last_assigned_at`,
          [pick.id, companyId],
        );
        assigned.push({ chatId: chat.id, consultantId: pick.id });
      }
      return {
        companyId,
        assigned,
        released: released.filter((r) => r.consultant_id !== null).map((r) => ({ chatId: r.chat_id, consultantId: r.consultant_id! })),
        missed: missed.map((m) => m.id),
      } satisfies LivechatRouted;
    });
    if (routed === null) return;
    if (routed.assigned.length || routed.released.length || routed.missed.length) this.events.emit('livechat.routed', routed);
  }

  /**
   * Waiting chats whose visitor has gone: not seen for LIVECHAT_ABANDON_SECONDS (a closing widget counts as seen)
   * and no widget of theirs open on any instance. Asked before the pass, so the sockets are not asked under its lock.
   */
  private async abandoned(companyId: number): Promise<number[]> {
    const stale = await sql<{ id: number; visitor_id: number }>(
      this.em(),
      `select c.id, c.visitor_id from livechat_chat c join livechat_visitor v on v.id = c.visitor_id and v.company_id = c.company_id
        where c.company_id = ? and c.status = 'waiting' and v.last_seen_at < now() - make_interval(secs => ?)`,
      [companyId, this.config.livechatAbandonSeconds],
    );
    if (!stale.length) return [];
    // An instance that does not answer may hold their widget: nobody is closed on a guess, the next sweep asks again.
    const present = await this.visitors.present(stale.map((s) => s.visitor_id)).catch((err: unknown) => {
      this.logger.warn(`open widgets not known, no chat closed as missed: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    });
    if (!present) return [];
    return stale.filter((s) => !present.has(s.visitor_id)).map((s) => s.id);
  }
}
