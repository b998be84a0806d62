import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Bucket, BucketStore, MemoryBuckets, RedisBuckets } from './token-bucket';

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
  /** Livechat visitors: new chats (or left messages) and new visitor tokens per address, messages per visitor. */
  livechatAddress: { rate: { points: 20, duration: 3600 }, burst: { points: 10, duration: 600 } },
  livechatTokens: { rate: { points: 60, duration: 3600 }, burst: { points: 30, duration: 600 } },
  livechatMessages: { rate: { points: 10, duration: 10 }, burst: { points: 20, duration: 60 } },
  /** The pages a visitor's widget reports as they move about the website. */
  livechatPages: { rate: { points: 30, duration: 60 } },
  /** Callback requests a day from one address to one company (over the company's threshold a proof of work is asked), and for one number. */
  callbackAddress: { rate: { points: 30, duration: 86400 } },
  callbackNumber: { rate: { points: 5, duration: 86400 } },
  /** Livechat uploads: per visitor, and per address (however many tokens it takes). */
  livechatUploads: { rate: { points: 10, duration: 60 }, burst: { points: 10, duration: 600 } },
  livechatUploadsAddress: { rate: { points: 30, duration: 600 } },
  /** Only counts new chats per address within the hour (never refuses): past LIVECHAT_CHALLENGE_AFTER a proof of work is asked. */
  livechatChallenge: { rate: { points: 100_000, duration: 3600 } },
} satisfies Record<string, { rate: Window; burst?: Window }>;

/**
 * Token buckets, where a fixed window's boundary must not let twice the rate through: an integration's messages
 * come back at 2 a second (120 a minute) into a bucket of 30, so at most 30 + t/0.5 s are taken in any t seconds.
 */
export const BUCKETS = {
  apiToken: { capacity: 30, refillMs: 500 },
} satisfies Record<string, Bucket>;

export type LimitName = keyof typeof LIMITS | keyof typeof BUCKETS;

export interface LimitResult {
  allowed: boolean;
  retryAfterSeconds: number;
  /** What is left in the current window, and when it starts afresh (seconds): for RateLimit headers. */
  remaining: number;
  resetSeconds: number;
}

type Limiter = { consume(key: string): Promise<unknown> };

@Injectable()
export class LimitsService implements OnModuleDestroy {
  private readonly logger = new Logger('limits');
  private readonly limiters = new Map<LimitName, { limiter: Limiter; stores: { delete(key: string): Promise<unknown> }[] }>();
  private readonly buckets: BucketStore;
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
    for (const [name, spec] of Object.entries(LIMITS) as [LimitName, { rate: Window; burst?: Window }][]) {
      const rate = store(name, spec.rate);
      const burst = spec.burst && store(`${name}-burst`, spec.burst);
      // A bursty limiter takes from the second window when the first is full.
      this.limiters.set(name, { limiter: (burst ? new BurstyRateLimiter(rate, burst) : rate) as Limiter, stores: [rate, ...(burst ? [burst] : [])] });
    }
    this.buckets = this.redis ? new RedisBuckets(this.redis, `${config.databaseSchema}:bucket`) : new MemoryBuckets();
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }

  /**
   * Counts one more for a key. A store that cannot answer lets the request through: the limits guard
   * against abuse, they must not take the chat down with the database or Redis.
   */
  async consume(name: LimitName, key: string | number): Promise<LimitResult> {
    if (name in BUCKETS) return this.take(name as keyof typeof BUCKETS, String(key).slice(0, 200));
    const window = LIMITS[name as keyof typeof LIMITS].rate;
    const open = { allowed: true, retryAfterSeconds: 0, remaining: window.points, resetSeconds: window.duration };
    if (!this.config.rateLimits) return open;
    try {
      const used = (await this.limiters.get(name)!.limiter.consume(String(key).slice(0, 200))) as RateLimiterRes;
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.max(0, used.remainingPoints), resetSeconds: Math.ceil(used.msBeforeNext / 1000) };
    } catch (err) {
      // Refused: free again when the window starts afresh.
      if (err instanceof RateLimiterRes) {
        const wait = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        return { allowed: false, retryAfterSeconds: wait, remaining: 0, resetSeconds: wait };
      }
      this.logger.warn(`limit ${name} not counted: ${err instanceof Error ? err.message : String(err)}`);
      return open;
    }
  }

  private async take(name: keyof typeof BUCKETS, key: string): Promise<LimitResult> {
    const bucket = BUCKETS[name];
    const open = { allowed: true, retryAfterSeconds: 0, remaining: bucket.capacity, resetSeconds: 0 };
    if (!this.config.rateLimits) return open;
    try {
      const taken = await this.buckets.take(`${name}:${key}`, bucket);
      return {
        allowed: taken.allowed,
        retryAfterSeconds: taken.allowed ? 0 : Math.max(1, Math.ceil(taken.retryAfterMs / 1000)),
        remaining: taken.remaining,
        resetSeconds: Math.ceil(taken.fullInMs / 1000),
      };
    } catch (err) {
      this.logger.warn(`limit ${name} not counted: ${err instanceof Error ? err.message : String(err)}`);
      return open;
    }
  }

  async reset(name: LimitName, key: string | number): Promise<void> {
    const k = String(key).slice(0, 200);
    if (name in BUCKETS) return this.buckets.delete(`${name}:${k}`).catch(() => undefined);
    await Promise.all(this.limiters.get(name)!.stores.map((s) => s.delete(k).catch(() => false)));
  }
}
