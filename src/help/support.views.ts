import { Injectable } from '@nestjs/common';
import { MessageFragment, MessageFragments } from '../chat/message.fragments';
import type { MessageRecord } from '../chat/message.view';
import type { Locale } from '../web/i18n/translator';
import { HelpService, Ticket } from './help.service';

export interface TicketView extends Ticket {
  messages: MessageFragment[];
}

/** A Help conversation with its newest messages, read once and rendered in as many languages as asked. */
export interface LoadedTicket {
  ticket: Ticket;
  log: MessageRecord[];
}

/** A Help conversation as the support team's page, its htmx replies and its pushes show it. */
@Injectable()
export class SupportViews {
  constructor(
    private readonly help: HelpService,
    private readonly fragments: MessageFragments,
  ) {}

  async load(conversationId: number): Promise<LoadedTicket> {
    const ticket = await this.help.ticket(conversationId);
    return { ticket, log: await this.help.log(ticket) };
  }

  render({ ticket, log }: LoadedTicket, locale: Locale): TicketView {
    return { ...ticket, messages: this.fragments.forOutsiders(log, locale) };
  }

  async ticket(conversationId: number, locale: Locale): Promise<TicketView> {
    return this.render(await this.load(conversationId), locale);
  }
}
