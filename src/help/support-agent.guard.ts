import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { GwarRequest } from '../web/gwar-request';

/** A support agent: a user of the operator's own company flagged to answer the Help conversations. */
@Injectable()
export class SupportAgent implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<GwarRequest>();
    if (!req.auth) throw new UnauthorizedException();
    if (!isSupportAgent(req.auth)) throw new ForbiddenException();
    return true;
  }
}

export function isSupportAgent(auth: { company: { isOperator: boolean }; user: { supportAgent: boolean } }): boolean {
  return auth.company.isOperator && auth.user.supportAgent;
}
