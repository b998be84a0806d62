import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';

/** For load balancers: 200 while the database answers, 503 when it does not. */
@Controller('health')
export class HealthController {
  constructor(private readonly em: EntityManager) {}

  @Get()
  async check(@Res() res: Response): Promise<void> {
    const started = process.hrtime.bigint();
    let database: 'up' | 'down' = 'up';
    try {
      await this.em.getConnection().execute('select 1');
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
