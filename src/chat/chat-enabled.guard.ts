import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { GwarRequest } from '../web/gwar-request';

/** Chat needs a signed-in user of a company whose plan includes it (Start does not). */
@Injectable()
export class ChatEnabled implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<GwarRequest>();
    if (!req.auth) throw new UnauthorizedException();
    if (req.auth.company.plan === 'start') throw new ForbiddenException();
    return true;
  }
}
