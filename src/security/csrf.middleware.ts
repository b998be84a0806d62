import { ForbiddenException, Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { GwarRequest } from '../web/gwar-request';
import { AppSecretService } from './app-secret.service';
import { hmac, newToken, sameString } from './tokens';

export const ANON_COOKIE = 'gwar_anon';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing request must carry a token bound to the visitor's session (or, before sign-in,
 * to an anonymous cookie), signed with the app secret. Forms carry it as `_csrf`, htmx as a header.
 */
@Injectable()
export class CsrfMiddleware implements NestMiddleware {
  constructor(
    private readonly secret: AppSecretService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async use(req: GwarRequest, res: Response, next: NextFunction): Promise<void> {
    try {
      let binding = req.auth?.sessionToken ?? req.cookies?.[ANON_COOKIE];
      if (!binding) {
        binding = newToken(24);
        res.cookie(ANON_COOKIE, binding, { httpOnly: true, sameSite: 'lax', secure: this.config.cookieSecure, path: '/' });
      }
      const expected = hmac(await this.secret.get(), `csrf:${binding}`);
      req.csrfToken = expected;
      res.locals.csrfToken = expected;
      if (SAFE.has(req.method) || this.exempt(req)) return next();
      const sent = req.get(CSRF_HEADER) ?? (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      if (typeof sent !== 'string' || !sameString(sent, expected)) throw new ForbiddenException('csrf');
      next();
    } catch (err) {
      next(err);
    }
  }

  /**
   * The integrators' API authenticates only with a bearer token, never a cookie, so there is nothing to forge;
   * a mistyped API path is then a 404, not a CSRF refusal.
   */
  private exempt(req: GwarRequest): boolean {
    // originalUrl, not path: inside a Nest middleware req.path is relative to where it is mounted.
    // The Livechat widget's API knows its visitor by a token in a header, never a cookie (its iframe is cross-site).
    return req.originalUrl.startsWith('/api/') || /^\/livechat\/[^/]+\/api\//.test(req.originalUrl);
  }
}
