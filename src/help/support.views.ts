import { Injectable } from '@nestjs/common';
import { MessageFragment, MessageFragments } from '../chat/message.fragments';
import type { Locale } from '../web/i18n/translator';
import { HelpService, Ticket } from './help.service';

export interface TicketView extends Ticket {
  messages: MessageFragment[];
}

/** A Help conversation as the support team's page, its htmx replies and its pushes show it. */
@Injectable()
export class SupportViews {
  constructor(
    private readonly help: HelpService,
    private readonly fragments: MessageFragments,
  ) {}

  async ticket(conversationId: number, locale: Locale): Promise<TicketView> {
    const ticket = await this.help.ticket(conversationId);
    return { ...ticket, messages: this.fragments.forOutsiders(await this.help.log(ticket), locale) };
  }
}
