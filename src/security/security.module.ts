import { Module } from '@nestjs/common';
import { AppSecretService } from './app-secret.service';
import { CsrfMiddleware } from './csrf.middleware';
import { LimitsService } from './limits.service';

@Module({
  providers: [AppSecretService, LimitsService, CsrfMiddleware],
  exports: [AppSecretService, LimitsService, CsrfMiddleware],
})
export class SecurityModule {}
