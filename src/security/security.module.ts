import { Module } from '@nestjs/common';
import { AppSecretService } from './app-secret.service';
import { CsrfMiddleware } from './csrf.middleware';
import { RateLimitService } from './rate-limit.service';

@Module({
  providers: [AppSecretService, RateLimitService, CsrfMiddleware],
  exports: [AppSecretService, RateLimitService, CsrfMiddleware],
})
export class SecurityModule {}
