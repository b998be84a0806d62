import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { LivechatModule } from '../livechat/livechat.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { SecurityModule } from '../security/security.module';
import { ApiCallbacksController } from './api-callbacks.controller';
import { CallbackBroadcaster } from './callback.broadcaster';
import { CallbackConsultantController } from './consultant.controller';
import { CallbackHistoryController } from './history.controller';
import { CallbackHistory } from './history.service';
import { CallbackIntake } from './intake.service';
import { OfflineCallbacks } from './offline-hook';
import { CallbackRequests } from './requests.service';
import { CallbackSections } from './sections';
import { CallbackSettingsController } from './settings.controller';
import { CallbackSettingsService } from './settings.service';
import { CallbackSweep } from './sweep.service';
import { WidgetCallbackController } from './widget-callback.controller';
import { WidgetFlagMiddleware } from './widget-flag.middleware';

@Module({
  imports: [ChatModule, RealtimeModule, SecurityModule, LivechatModule],
  // Settings and history first: their literal paths must win over /callback/… patterns.
  controllers: [CallbackSettingsController, CallbackHistoryController, CallbackConsultantController, WidgetCallbackController, ApiCallbacksController],
  providers: [
    CallbackSettingsService,
    CallbackRequests,
    CallbackSections,
    CallbackIntake,
    CallbackHistory,
    CallbackBroadcaster,
    CallbackSweep,
    OfflineCallbacks,
  ],
})
export class CallbackModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(WidgetFlagMiddleware)
      .forRoutes({ path: 'livechat/*path', method: RequestMethod.GET }, { path: 'livechat/*path', method: RequestMethod.POST });
  }
}
