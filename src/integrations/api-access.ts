import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { refusalText } from '../accounts/plan-refusal';
import { has } from '../accounts/plans';
import { COMPANY_FILTER } from '../database/company-scope';
import type { GroupApiToken, Scope } from './group-api-token.entity';
import { GroupTokensService } from './group-tokens.service';
import { problem } from './problem';

export const API_DEADLINE_MS = 5000;
const RETRY_AFTER_UNAVAILABLE_S = 5;
/** What a page on an allowed website may read of an answer. */
const EXPOSED_HEADERS = 'Retry-After, Idempotency-Replayed, RateLimit, RateLimit-Policy, X-Request-Id';

/** Gwar's own pages (the docs page's "Try it out") may always call: the token is what authorizes. */
export function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

/**
 * What every API request goes through: CORS headers on every answer (so a page reads even a refusal), an answer
 * within the deadline when the database is away (503; the work may still finish, and a retry with the same
 * Idempotency-Key then returns it), and the token: valid, allowed from this origin, of a plan with group tokens,
 * and granted the scope the request needs. Within it the request works inside the token's company.
 */
@Injectable()
export class ApiAccess {
  constructor(
    private readonly tokens: GroupTokensService,
    private readonly em: EntityManager,
  ) {}

  /** A request that needs `scope`: `work` runs with the token, or the request is answered with why not. */
  async serve(req: Request, res: Response, scope: Scope, work: (token: GroupApiToken) => Promise<void>): Promise<void> {
    await this.run(req, res, async () => {
      const token = await this.authorize(req, res, scope);
      if (token) return work(token);
      req.resume(); // refused: a body not yet read (a file) is drained, not kept
    });
  }

  private async run(req: Request, res: Response, work: () => Promise<void>): Promise<void> {
    const origin = req.get('Origin');
    if (origin) res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS, Vary: 'Origin' });
    const deadline = setTimeout(() => {
      if (res.headersSent) return;
      res.set('Retry-After', String(RETRY_AFTER_UNAVAILABLE_S));
      problem(
        res,
        'unavailable',
        `The service could not answer within ${API_DEADLINE_MS / 1000} s. Retry with the same Idempotency-Key: it never posts twice.`,
      );
    }, API_DEADLINE_MS);
    try {
      await work();
    } finally {
      clearTimeout(deadline);
    }
  }

  /** The token, or nothing when the request was answered with why not (401, 403). */
  private async authorize(req: Request, res: Response, scope: Scope): Promise<GroupApiToken | undefined> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('Authorization') ?? '')?.[1];
    if (!bearer) {
      res.set('WWW-Authenticate', 'Bearer');
      return void problem(res, 'missing-token', 'Send the group API token as "Authorization: Bearer <token>".');
    }
    const token = await this.tokens.authenticate(bearer);
    if (res.headersSent) return; // the deadline answered while the database was away
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      return void problem(res, 'invalid-token', 'This token is not valid: it may have been revoked or regenerated.');
    }
    this.em.setFilterParams(COMPANY_FILTER, { companyId: token.company.id });
    const origin = req.get('Origin');
    if (origin && origin !== ownOrigin(req) && !token.origins.includes(origin))
      return void problem(res, 'origin-not-allowed', `Calls from ${origin} are not allowed with this token.`);
    // Integrators read English, as every other problem here.
    if (!has(token.company, 'groupTokens')) return void problem(res, 'plan-required', refusalText('groupTokens', 'en'));
    if (!token.scopeList.includes(scope)) {
      res.set('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${scope}"`);
      return void problem(res, 'insufficient-scope', `This token has no "${scope}" scope; an administrator can grant it in the group's API token settings.`);
    }
    return token;
  }
}
