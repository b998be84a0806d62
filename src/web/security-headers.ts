import type { NextFunction, Request, Response } from 'express';

/**
 * Everything the page loads comes from this server; nothing may frame it. Pages are private: nothing is kept
 * in a cache unless a route says otherwise (static assets, files).
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  // The static middleware names the assets' own caching, and leaves a header set before it alone.
  if (!req.path.startsWith('/assets/')) res.set('Cache-Control', 'no-store');
  res.set({
    'Content-Security-Policy':
      "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
  });
  next();
}
