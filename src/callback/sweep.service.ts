import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { inCompany } from '../database/background-work';
import { sql } from '../livechat/sql';
import { CallbackRequests } from './requests.service';
import { CALLBACK_ON_DUTY, CALLBACK_STATUSES } from './on-duty';

/**
 * The deadlines of the queue live in the database, and every instance sweeps for them: a claim past its time
 * limit or held by someone no longer on duty goes back to the queue, and a "not answered" request whose delay
 * has passed comes back (with a chime). A restart loses none; the statements are idempotent, so instances may
 * sweep together.
 */
/** How often an instance applies the retention. */
const PURGE_EVERY_MS = 60 * 60 * 1000;

@Injectable()
export class CallbackSweep implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('callback-sweep');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private purgedAt = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly events: EventEmitter2,
    private readonly requests: CallbackRequests,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.callbackSweepMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** A consultant who chose another status, or closed their last page, gives back what they were calling. */
  @OnEvent('presence.chosen', { async: true, promisify: true })
  @OnEvent('presence.changed', { async: true, promisify: true })
  onPresence(event: { companyId: number; status: string; shown?: string }): Promise<void> {
    // Only a user now out of the Callback statuses, or shown offline, can have left a claim behind.
    if ((CALLBACK_STATUSES as readonly string[]).includes(event.status) && event.shown !== 'offline') return Promise.resolve();
    return inCompany(this.orm, event.companyId, this.logger, () => this.requests.releaseGone(event.companyId));
  }

  sweep(): Promise<void> {
    this.running ??= this.pass()
      .catch((err: unknown) => this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err)))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const em = this.orm.em.fork() as EntityManager;
    if (Date.now() - this.purgedAt > PURGE_EVERY_MS) {
      this.purgedAt = Date.now();
      // Numbers are personal data: closed requests go after the widget's retention period, as visitors do.
      await sql(
        em,
        `/* all companies: Callback retention, by the widget's */
         delete from callback_request r using livechat_settings s
          where s.company_id = r.company_id and r.status not in ('waiting', 'calling') and r.created_at < now() - make_interval(days => s.retention_days)`,
      );
    }
    const lapsed = await sql<{ company_id: number }>(
      em,
      `/* all companies: Callback claims past their time limit or of a consultant gone */
       update callback_request r set status = 'waiting', consultant_id = null, claim_deadline = null, claimed_at = null
        where r.status = 'calling'
          and (r.claim_deadline <= now()
               or not exists (select 1 from app_user u where u.id = r.consultant_id and u.company_id = r.company_id and ${CALLBACK_ON_DUTY}))
        returning r.company_id`,
    );
    const back = await sql<{ company_id: number; id: number }>(
      em,
      `/* all companies: "not answered" requests whose delay has passed */
       update callback_request set not_before = null where status = 'waiting' and not_before <= now() returning company_id, id`,
    );
    for (const companyId of new Set(lapsed.map((r) => r.company_id))) this.events.emit('callback.changed', { companyId });
    for (const row of back) this.events.emit('callback.changed', { companyId: row.company_id, chime: `back:${row.id}:${Date.now()}` });
  }
}
