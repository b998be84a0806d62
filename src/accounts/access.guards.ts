import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { GwarRequest } from '../web/gwar-request';

function signedIn(context: ExecutionContext) {
  const req = context.switchToHttp().getRequest<GwarRequest>();
  if (!req.auth) throw new UnauthorizedException();
  return req.auth;
}

@Injectable()
export class SignedIn implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    signedIn(context);
    return true;
  }
}

/** A company's system administrator: manages its users. */
@Injectable()
export class CompanyAdmin implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (signedIn(context).user.role !== 'admin') throw new ForbiddenException();
    return true;
  }
}

/** An administrator of the operator's own company: manages the company accounts. */
@Injectable()
export class OperatorAdmin implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const auth = signedIn(context);
    if (!auth.company.isOperator || auth.user.role !== 'admin') throw new ForbiddenException();
    return true;
  }
}
