import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AccountsModule } from './accounts/accounts.module';
import { AuthMiddleware } from './accounts/auth.middleware';
import { ChatModule } from './chat/chat.module';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { ormConfig } from './database/orm-config';
import { CrmModule } from './crm/crm.module';
import { FilesModule } from './files/files.module';
import { HealthModule } from './health/health.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { LivechatModule } from './livechat/livechat.module';
import { CallbackModule } from './callback/callback.module';
import { PresenceModule } from './presence/presence.module';
import { RealtimeModule } from './realtime/realtime.module';
import { SearchModule } from './search/search.module';
import { CsrfMiddleware } from './security/csrf.middleware';
import { SecurityModule } from './security/security.module';
import { LocaleMiddleware } from './web/locale.middleware';
import { RequestContextMiddleware } from './web/request-context.middleware';
import { WebModule } from './web/web.module';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        MikroOrmModule.forRoot({
          ...ormConfig(databaseUrl, config.databaseSchema, config.logRequests ? console.log : () => undefined),
          registerRequestContext: false,
          autoLoadEntities: true,
        }),
        EventEmitterModule.forRoot(),
        SecurityModule,
        AccountsModule,
        ChatModule,
        PresenceModule,
        IntegrationsModule,
        CrmModule,
        SearchModule,
        FilesModule,
        WebModule,
        HealthModule,
        RealtimeModule,
        LivechatModule,
        CallbackModule,
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Order matters: the ORM context first, then who is signed in, their language, and the CSRF check.
    consumer.apply(RequestContextMiddleware, AuthMiddleware, LocaleMiddleware, CsrfMiddleware).forRoutes('{*path}');
  }
}
