import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { HomeController } from './home.controller';
import { LanguageController } from './language.controller';
import { LocaleMiddleware } from './locale.middleware';
import { RequestContextMiddleware } from './request-context.middleware';

@Module({
  imports: [AccountsModule],
  controllers: [HomeController, LanguageController],
  providers: [LocaleMiddleware, RequestContextMiddleware],
  exports: [LocaleMiddleware, RequestContextMiddleware],
})
export class WebModule {}
