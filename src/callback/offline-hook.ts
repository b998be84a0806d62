import { MikroORM } from '@mikro-orm/core';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { inCompany } from '../database/background-work';
import type { LivechatLeftMessageEvent } from '../livechat/chats.service';
import { LeftMessageChecks } from '../livechat/left-message-hooks';
import { CallbackIntake } from './intake.service';
import { normalizePhone } from './phone';
import { CallbackSettingsService } from './settings.service';

/**
 * A message left in the Livechat's offline form with a phone number becomes a callback request while Callback is
 * on: the number is checked before the message is kept (the form comes back saying why), and the request made
 * when the message is announced.
 */
@Injectable()
export class OfflineCallbacks implements OnModuleInit {
  private readonly logger = new Logger('callback-offline');

  constructor(
    private readonly orm: MikroORM,
    private readonly checks: LeftMessageChecks,
    private readonly settings: CallbackSettingsService,
    private readonly intake: CallbackIntake,
  ) {}

  onModuleInit(): void {
    this.checks.register({
      check: async (companyId, phone) => {
        const settings = await this.settings.live(companyId);
        if (!settings) return undefined;
        const read = normalizePhone(phone, settings.defaultCountry);
        return 'problem' in read ? read.problem : undefined;
      },
    });
  }

  @OnEvent('livechat.left-message', { async: true, promisify: true })
  onLeft(event: LivechatLeftMessageEvent): Promise<void> {
    if (!event.phone.trim()) return Promise.resolve();
    return inCompany(this.orm, event.companyId, this.logger, async () => {
      const settings = await this.settings.live(event.companyId);
      if (!settings) return;
      // The visitor typed their number into a form that says they will be called back: that is the consent.
      const result = await this.intake.submit(
        settings,
        { phone: event.phone, name: event.name.slice(0, 120), topic: event.body.trim().slice(0, 500), preferredTime: 'asap', consent: true, page: '' },
        // The offline form is limited per address by the Livechat already; its visitor stands for the address here.
        { ip: event.visitorId ? `visitor:${event.visitorId}` : `left:${event.leftMessageId}`, source: 'livechat' },
      );
      if (!result.ok) this.logger.warn(`left message ${event.leftMessageId}: no callback request (${result.key})`);
    });
  }
}
