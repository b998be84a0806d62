import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';

/** A database slower than this to answer `select 1` counts as down: a load balancer must not wait on it. */
const HEALTH_DEADLINE_MS = 1000;

/** For load balancers: 200 while the database answers, 503 when it does not (or not within a second). */
@Controller('health')
export class HealthController {
  constructor(private readonly em: EntityManager) {}

  @Get()
  async check(@Res() res: Response): Promise<void> {
    const started = process.hrtime.bigint();
    let database: 'up' | 'down' = 'up';
    try {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('late')), HEALTH_DEADLINE_MS)));
      await Promise.race([this.em.getConnection().execute('select 1'), late]).finally(() => clearTimeout(timer));
    } catch {
      database = 'down';
    }
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    res
      .status(database === 'up' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({
        status: database === 'up' ? 'ok' : 'unavailable',
        database,
        databaseLatencyMs: Math.round(latencyMs * 10) / 10,
      });
  }
}
