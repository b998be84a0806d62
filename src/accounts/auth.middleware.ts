import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { COMPANY_FILTER } from '../database/company-scope';
import type { GwarRequest } from '../web/gwar-request';
import { SESSION_COOKIE, SessionsService } from './sessions.service';

/** Finds the signed-in user and scopes every query of this request to their company. */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  constructor(
    private readonly sessions: SessionsService,
    private readonly em: EntityManager,
  ) {}

  async use(req: GwarRequest, res: Response, next: NextFunction): Promise<void> {
    try {
      const auth = await this.sessions.resolve(req.cookies?.[SESSION_COOKIE]);
      if (auth) {
        req.auth = auth;
        this.em.setFilterParams(COMPANY_FILTER, { companyId: auth.company.id });
        res.locals.currentUser = auth.user;
        res.locals.currentCompany = auth.company;
      } else if (req.cookies?.[SESSION_COOKIE]) {
        res.clearCookie(SESSION_COOKIE, { path: '/' });
      }
      next();
    } catch (err) {
      next(err);
    }
  }
}
