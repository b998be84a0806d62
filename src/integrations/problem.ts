import type { Response } from 'express';

export const PROBLEM_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** An RFC 9457 problem: what is wrong, in words an integrator can act on. */
export function problem(res: Response, status: number, detail: string, extra: Record<string, unknown> = {}): void {
  if (res.headersSent) return; // the deadline's 503 went first
  res
    .status(status)
    .type('application/problem+json')
    .json({ type: 'about:blank', title: PROBLEM_TITLES[status] ?? 'Error', status, detail, requestId: res.get('X-Request-Id'), ...extra });
}
