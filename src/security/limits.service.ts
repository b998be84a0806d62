import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RateLimiterUnion } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { APP_CONFIG, AppConfig } from '../config/app-config';

interface Window {
  points: number;
  /** Seconds. */
  duration: number;
}

/**
 * The limits, counted in Redis when several instances share it (REDIS_URL), else in the one instance's memory:
 * without Redis there is only one instance (pushes could not cross), and counting in PostgreSQL cost every send
 * a write and a commit. A burst is what may come at once on top of the steady rate; the README lists them.
 */
export const LIMITS = {
  /** Sends, edits and deletions of one user: 1 a second, and 30 more at once within a minute. */
  messages: { rate: { points: 10, duration: 10 }, burst: { points: 30, duration: 60 } },
  groups: { rate: { points: 20, duration: 3600 } },
  uploads: { rate: { points: 30, duration: 60 }, burst: { points: 60, duration: 600 } },
  signInEmail: { rate: { points: 10, duration: 15 * 60 } },
  signInAddress: { rate: { points: 100, duration: 15 * 60 } },
  /**
   * An integration's messages: 120 a minute, and never more than 30 in 10 s, so that the minute's fixed window
   * cannot pass 240 in a few seconds across its boundary (at most 60 in any 10 s, 150 in any minute).
   */
  apiToken: { rate: { points: 120, duration: 60 }, spread: { points: 30, duration: 10 } },
  /** Livechat visitors: new chats (or left messages) and new visitor tokens per address, messages per visitor. */
  livechatAddress: { rate: { points: 20, duration: 3600 }, burst: { points: 10, duration: 600 } },
  livechatTokens: { rate: { points: 60, duration: 3600 }, burst: { points: 30, duration: 600 } },
  livechatMessages: { rate: { points: 10, duration: 10 }, burst: { points: 20, duration: 60 } },
} satisfies Record<string, { rate: Window; burst?: Window; spread?: Window }>;

export type LimitName = keyof typeof LIMITS;

export interface LimitResult {
  allowed: boolean;
  retryAfterSeconds: number;
  /** What is left in the current window, and when it starts afresh (seconds): for RateLimit headers. */
  remaining: number;
  resetSeconds: number;
}

type Limiter = { consume(key: string): Promise<unknown> };

/** A limiter's answer (or refusal) as its windows: one, or one per window of a union. */
function results(answer: unknown): RateLimiterRes[] {
  if (answer instanceof RateLimiterRes) return [answer];
  if (answer && typeof answer === 'object') {
    const windows = Object.values(answer).filter((v): v is RateLimiterRes => v instanceof RateLimiterRes);
    if (windows.length) return windows;
  }
  return [];
}

@Injectable()
export class LimitsService implements OnModuleDestroy {
  private readonly logger = new Logger('limits');
  private readonly limiters = new Map<LimitName, { limiter: Limiter; stores: { delete(key: string): Promise<boolean> }[] }>();
  private readonly redis?: ReturnType<typeof createClient>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.redisUrl) {
      this.redis = createClient({ url: config.redisUrl, disableOfflineQueue: true });
      this.redis.on('error', (err: unknown) => this.logger.warn(`redis: ${String(err)}`));
      void this.redis.connect().catch(() => undefined);
    }
    const store = (name: string, window: Window) =>
      this.redis
        ? new RateLimiterRedis({ storeClient: this.redis, useRedisPackage: true, keyPrefix: `${config.databaseSchema}:${name}`, ...window })
        : new RateLimiterMemory({ keyPrefix: name, ...window });
    for (const [name, spec] of Object.entries(LIMITS) as [LimitName, { rate: Window; burst?: Window; spread?: Window }][]) {
      const rate = store(name, spec.rate);
      const burst = spec.burst && store(`${name}-burst`, spec.burst);
      const spread = spec.spread && store(`${name}-spread`, spec.spread);
      // A union counts in both windows and refuses when either is full; a bursty limiter takes from the second when the first is.
      const limiter = spread ? new RateLimiterUnion(rate, spread) : burst ? new BurstyRateLimiter(rate, burst) : rate;
      this.limiters.set(name, { limiter: limiter as Limiter, stores: [rate, ...(burst ? [burst] : []), ...(spread ? [spread] : [])] });
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }

  /**
   * Counts one more for a key. A store that cannot answer lets the request through: the limits guard
   * against abuse, they must not take the chat down with the database or Redis.
   */
  async consume(name: LimitName, key: string | number): Promise<LimitResult> {
    const points = LIMITS[name].rate.points;
    const open = { allowed: true, retryAfterSeconds: 0, remaining: points, resetSeconds: LIMITS[name].rate.duration };
    if (!this.config.rateLimits) return open;
    try {
      const used = results(await this.limiters.get(name)!.limiter.consume(String(key).slice(0, 200)));
      // What is left is the tightest window's; it starts afresh when the tightest does.
      const tightest = used.reduce((a, b) => (b.remainingPoints < a.remainingPoints ? b : a));
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.max(0, tightest.remainingPoints), resetSeconds: Math.ceil(tightest.msBeforeNext / 1000) };
    } catch (err) {
      // Refused: by each full window (a union names those); free again when the last of them starts afresh.
      const refused = results(err);
      if (refused.length) {
        const wait = Math.max(1, Math.ceil(Math.max(...refused.map((r) => r.msBeforeNext)) / 1000));
        return { allowed: false, retryAfterSeconds: wait, remaining: 0, resetSeconds: wait };
      }
      this.logger.warn(`limit ${name} not counted: ${err instanceof Error ? err.message : String(err)}`);
      return open;
    }
  }

  async reset(name: LimitName, key: string | number): Promise<void> {
    await Promise.all(this.limiters.get(name)!.stores.map((s) => s.delete(String(key).slice(0, 200)).catch(() => false)));
  }
}
