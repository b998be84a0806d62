import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { requireFeature } from '../accounts/plan-refusal';
import type { GwarRequest } from '../web/gwar-request';

/** Chat needs a signed-in user of a company whose plan includes it (the plan table says which). */
@Injectable()
export class ChatEnabled implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<GwarRequest>();
    if (!req.auth) throw new UnauthorizedException();
    requireFeature(req.auth.company, 'chat');
    return true;
  }
}
