import { MikroORM } from '@mikro-orm/core';
import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatRenderer } from '../chat/chat.renderer';
import { inCompany } from '../database/background-work';
import { RealtimeGateway } from '../realtime/realtime.gateway';
import { inLocale, userRoom } from '../realtime/server-events';
import { CallbackChanged, CallbackRequests } from './requests.service';
import { CallbackSections } from './sections';

/**
 * Callback pushes: every change to a company's queue redraws the whole "CallBack" group on the pages of its
 * consultants on duty (a whole piece, so a late or repeated push leaves the page as the database has it). The
 * group is rendered once per language for everyone, and once more for each consultant holding a claim (their
 * card carries the outcome form); nobody off duty gets anything.
 */
@Injectable()
export class CallbackBroadcaster {
  private readonly logger = new Logger('callback-push');

  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: RealtimeGateway,
    private readonly renderer: ChatRenderer,
    private readonly requests: CallbackRequests,
    private readonly sections: CallbackSections,
  ) {}

  @OnEvent('callback.changed', { async: true, promisify: true })
  onChanged(event: CallbackChanged): Promise<void> {
    return inCompany(this.orm, event.companyId, this.logger, async () => {
      const consultants = await this.sections.onDuty(event.companyId);
      if (!consultants.length) return;
      const cards = await this.requests.queue(event.companyId);
      const claimers = new Set(cards.filter((c) => c.status === 'calling').map((c) => c.consultantId));
      const rendered = new Map<string, string>();
      for (const userId of consultants) {
        const room = userRoom(userId);
        for (const locale of this.gateway.localesFor([room])) {
          const me = claimers.has(userId) ? userId : 0;
          const key = `${locale}:${me}`;
          let html = rendered.get(key);
          if (html === undefined) {
            html = this.renderer.render('callback/_section.njk', locale, { ...this.sections.view(cards, me), oob: true, chime: event.chime });
            rendered.set(key, html);
          }
          this.gateway.server.to(inLocale(room, locale)).emit('html', html);
        }
      }
    });
  }

  /** A status chosen: the group appears (or goes) on that user's pages. */
  @OnEvent('presence.chosen', { async: true, promisify: true })
  onChosen(event: { companyId: number; userId: number }): Promise<void> {
    return inCompany(this.orm, event.companyId, this.logger, async () => {
      const room = userRoom(event.userId);
      const locales = this.gateway.localesFor([room]);
      if (!locales.length) return;
      const section = await this.sections.of(event.companyId, event.userId);
      for (const locale of locales)
        this.gateway.server.to(inLocale(room, locale)).emit('html', this.renderer.render('callback/_section.njk', locale, { ...section, oob: true }));
    });
  }
}
