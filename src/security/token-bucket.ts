import type { createClient } from 'redis';

export interface Bucket {
  /** How many a key may take at once: a full bucket. */
  capacity: number;
  /** Milliseconds for one to come back into the bucket. */
  refillMs: number;
}

export interface Taken {
  allowed: boolean;
  /** What may still be taken at once. */
  remaining: number;
  /** Milliseconds until one more may be taken (0 when allowed). */
  retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  fullInMs: number;
}

/**
 * A token bucket kept as one number per key, the time at which it is full again (GCRA, the "generic cell rate
 * algorithm"): a take is allowed when the bucket would not overflow, and only an allowed take moves the time, so
 * refusals cost the caller nothing. Unlike a fixed window there is no boundary to burst across: in any span of
 * t ms at most capacity + t / refillMs are taken.
 */
export function take(bucket: Bucket, fullAt: number, now: number): { taken: Taken; fullAt: number } {
  const start = Math.max(fullAt, now);
  const next = start + bucket.refillMs;
  const limit = now + bucket.capacity * bucket.refillMs;
  if (next > limit) {
    return { taken: { allowed: false, remaining: 0, retryAfterMs: next - limit, fullInMs: start - now }, fullAt };
  }
  return { taken: { allowed: true, remaining: Math.floor((limit - next) / bucket.refillMs), retryAfterMs: 0, fullInMs: next - now }, fullAt: next };
}

export interface BucketStore {
  take(key: string, bucket: Bucket): Promise<Taken>;
  delete(key: string): Promise<void>;
}

/** One instance's buckets. Keys whose bucket is full again are dropped, so memory follows the active keys. */
export class MemoryBuckets implements BucketStore {
  private readonly fullAt = new Map<string, number>();
  private sweptAt = 0;

  async take(key: string, bucket: Bucket): Promise<Taken> {
    const now = Date.now();
    this.sweep(now);
    const result = take(bucket, this.fullAt.get(key) ?? 0, now);
    this.fullAt.set(key, result.fullAt);
    return result.taken;
  }

  async delete(key: string): Promise<void> {
    this.fullAt.delete(key);
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < 60_000) return;
    this.sweptAt = now;
    for (const [key, at] of this.fullAt) if (at <= now) this.fullAt.delete(key);
  }
}

/** take() in Lua, on Redis's own clock, so that every instance takes from the same bucket atomically. */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local capacity = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local fullAt = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(fullAt, now)
local nextAt = start + refill
local limit = now + capacity * refill
if nextAt > limit then
  return {0, 0, nextAt - limit, start - now}
end
redis.call('SET', KEYS[1], nextAt, 'PX', nextAt - now + 1000)
return {1, math.floor((limit - nextAt) / refill), 0, nextAt - now}
`;

export class RedisBuckets implements BucketStore {
  constructor(
    private readonly redis: ReturnType<typeof createClient>,
    private readonly prefix: string,
  ) {}

  async take(key: string, bucket: Bucket): Promise<Taken> {
    const [allowed, remaining, retryAfterMs, fullInMs] = (await this.redis.eval(TAKE_SCRIPT, {
      keys: [`${this.prefix}:${key}`],
      arguments: [String(bucket.capacity), String(bucket.refillMs)],
    })) as number[];
    return { allowed: allowed === 1, remaining, retryAfterMs, fullInMs };
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}:${key}`);
  }
}
