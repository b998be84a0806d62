import { Injectable, OnModuleInit } from '@nestjs/common';
import { LeftMessageHooks } from '../livechat/left-message-hooks';
import { text } from '../web/form';
import { CallbackIntake } from './intake.service';
import { CallbackSettingsService } from './settings.service';

/** A message left in the Livechat's offline form with a phone number becomes a callback request, while Callback is on. */
@Injectable()
export class OfflineCallbackHook implements OnModuleInit {
  constructor(
    private readonly hooks: LeftMessageHooks,
    private readonly settings: CallbackSettingsService,
    private readonly intake: CallbackIntake,
  ) {}

  onModuleInit(): void {
    this.hooks.register({
      take: async (companyId, body, from) => {
        const phone = text(body, 'phone').trim();
        if (!phone) return undefined;
        const settings = await this.settings.live(companyId);
        if (!settings) return undefined;
        const result = await this.intake.submit(
          settings,
          // The visitor typed their number into a form that says they will be called back: that is the consent.
          {
            phone,
            name: text(body, 'name').trim().slice(0, 120),
            topic: text(body, 'body').trim().slice(0, 500),
            preferredTime: 'asap',
            consent: true,
            page: '',
          },
          { ip: from.ip, source: 'livechat' },
        );
        if (result.ok) return undefined;
        return { error: result.key, retryAfter: result.kind === 'limited' ? result.retryAfter : undefined };
      },
    });
  }
}
