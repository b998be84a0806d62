import { randomUUID } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import type { GwarRequest } from './gwar-request';

/** What a caller may send as its own request id: short, printable, nothing a log line or header could trip on. */
const SENT_ID = /^[\w.:-]{1,128}$/;

/** Every request gets an id, echoed when the caller sent one: in the X-Request-Id header, the log line and problems. */
export function requestId(req: GwarRequest, res: Response, next: NextFunction): void {
  const sent = req.get('X-Request-Id');
  req.id = sent && SENT_ID.test(sent) ? sent : randomUUID();
  res.set('X-Request-Id', req.id);
  next();
}
