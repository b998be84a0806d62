import type { NextFunction, Response } from 'express';
import type { GwarRequest } from './gwar-request';

/** One JSON line per request, for whatever collects the logs. */
export function requestLog(req: GwarRequest, res: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    process.stdout.write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: res.statusCode >= 500 ? 'error' : 'info',
        msg: 'request',
        requestId: req.id,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
        user: req.auth?.user.id,
        company: req.auth?.company.id,
      }) + '\n',
    );
  });
  next();
}
