import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

export interface RateLimitResult {
  allowed: boolean;
  retryAfterSeconds: number;
}

/** Fixed-window counters in PostgreSQL, so every instance counts the same hits. */
@Injectable()
export class RateLimitService {
  constructor(private readonly em: EntityManager) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const [row] = await this.em.getConnection().execute<{ hits: number; retry: number }[]>(
      `insert into rate_limit_hit (key, window_start, hits)
         values (?, to_timestamp(floor(extract(epoch from now()) / ?) * ?), 1)
       on conflict (key, window_start) do update set hits = rate_limit_hit.hits + 1
       returning hits, ceil(extract(epoch from window_start) + ? - extract(epoch from now()))::int as retry`,
      [key.slice(0, 300), windowSeconds, windowSeconds, windowSeconds],
    );
    if (Math.random() < 0.01) void this.prune();
    return { allowed: row.hits <= limit, retryAfterSeconds: Math.max(1, row.retry) };
  }

  async reset(key: string): Promise<void> {
    await this.em.getConnection().execute(`delete from rate_limit_hit where key = ?`, [key.slice(0, 300)]);
  }

  private async prune(): Promise<void> {
    await this.em
      .getConnection()
      .execute(`delete from rate_limit_hit where window_start < now() - interval '1 day'`)
      .catch(() => undefined);
  }
}
