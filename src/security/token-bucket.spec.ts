import { take } from './token-bucket';

describe('take (a token bucket as the time it is full again)', () => {
  const bucket = { capacity: 3, refillMs: 100 };

  function run(times: number[]): boolean[] {
    let fullAt = 0;
    return times.map((now) => {
      const result = take(bucket, fullAt, now);
      fullAt = result.fullAt;
      return result.taken.allowed;
    });
  }

  it('takes a full bucket at once, then refuses until one comes back', () => {
    expect(run([1000, 1000, 1000, 1000, 1099, 1100, 1100])).toEqual([true, true, true, false, false, true, false]);
  });

  it('never lets more than capacity + t / refill through in any span t, however the takes fall', () => {
    const times = Array.from({ length: 2000 }, (_, i) => 1000 + Math.floor(i * 0.7));
    let fullAt = 0;
    const allowedAt = times.filter((now) => {
      const result = take(bucket, fullAt, now);
      fullAt = result.fullAt;
      return result.taken.allowed;
    });
    for (let i = 0; i < allowedAt.length; i++) {
      const within = allowedAt.filter((at) => at >= allowedAt[i] && at < allowedAt[i] + 500).length;
      expect(within).toBeLessThanOrEqual(bucket.capacity + 5);
    }
  });

  it('says what is left, when the next one comes and when the bucket is full, and a refusal moves nothing', () => {
    const first = take(bucket, 0, 1000);
    expect(first.taken).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0, fullInMs: 100 });
    const second = take(bucket, first.fullAt, 1000);
    const third = take(bucket, second.fullAt, 1000);
    expect(third.taken).toMatchObject({ allowed: true, remaining: 0, fullInMs: 300 });
    const refused = take(bucket, third.fullAt, 1040);
    expect(refused.taken).toEqual({ allowed: false, remaining: 0, retryAfterMs: 60, fullInMs: 260 });
    expect(refused.fullAt).toBe(third.fullAt);
  });
});
