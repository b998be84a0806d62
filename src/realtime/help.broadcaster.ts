import { MikroORM } from '@mikro-orm/core';
import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatRenderer } from '../chat/chat.renderer';
import { inCompany } from '../database/background-work';
import type { HelpChanged } from '../help/help.service';
import { HelpService } from '../help/help.service';
import { SupportViews } from '../help/support.views';
import { RealtimeGateway } from './realtime.gateway';
import { inLocale, SUPPORT_ROOM } from './server-events';

/**
 * The support team's pages, live: a change to a Help conversation redraws the list of open ones and, on the
 * page that shows it, its log and who is answering. Whole pieces, not deltas, so a push that comes late or
 * twice leaves the page as the database has it.
 */
@Injectable()
export class HelpBroadcaster {
  private readonly logger = new Logger('help-push');

  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: RealtimeGateway,
    private readonly renderer: ChatRenderer,
    private readonly help: HelpService,
    private readonly views: SupportViews,
  ) {}

  @OnEvent('help.changed', { async: true, promisify: true })
  onChanged(event: HelpChanged): Promise<void> {
    return this.push(event.conversationId);
  }

  /** A company that gains or loses Help chat appears in or leaves the support team's list at once. */
  @OnEvent('company.plan-changed', { async: true, promisify: true })
  onPlanChanged(): Promise<void> {
    return this.push();
  }

  private push(conversationId?: number): Promise<void> {
    const locales = this.gateway.localesFor([SUPPORT_ROOM]);
    if (!locales.length) return Promise.resolve();
    return inCompany(this.orm, null, this.logger, async () => {
      const tickets = await this.help.openTickets();
      // Read once, rendered in each language that has a support page open.
      const loaded = conversationId === undefined ? null : await this.views.load(conversationId).catch(notFoundAsNull);
      for (const locale of locales) {
        const ticket = loaded && this.views.render(loaded, locale);
        const html =
          this.renderer.render('help/_tickets.njk', locale, { tickets, oob: true }) +
          (ticket
            ? this.renderer.render('help/_log.njk', locale, { ticket, oob: true }) +
              this.renderer.render('help/_ticket-status.njk', locale, { ticket, oob: true })
            : '');
        this.gateway.server.to(inLocale(SUPPORT_ROOM, locale)).emit('html', html);
      }
    });
  }
}

/** A conversation out of the support team's sight (its company's plan lost Help chat) has no log to push. */
function notFoundAsNull(err: unknown): null {
  if (err instanceof NotFoundException) return null;
  throw err;
}
