import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { newMessage, readMessage } from '../chat/message.form';
import { LimitsService } from '../security/limits.service';
import { text } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { isHtmx, redirect, render } from '../web/view';
import { HelpService } from './help.service';
import { SupportViews } from './support.views';
import { SupportAgent } from './support-agent.guard';

/**
 * The support team's side: every company's open Help conversations, and each one's messages, claim and answer.
 * Nothing else of a company is reachable from here.
 */
@Controller('support')
@UseGuards(SupportAgent)
export class SupportController {
  constructor(
    private readonly help: HelpService,
    private readonly views: SupportViews,
    private readonly limits: LimitsService,
  ) {}

  @Get()
  async index(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    render(req, res, 'help/support', { tickets: await this.help.openTickets() }, { fragment: 'help/_tickets' });
  }

  @Get('closed')
  async closed(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    render(req, res, 'help/closed', { tickets: await this.help.closedTickets() });
  }

  @Get('help/:id')
  async show(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const ticket = await this.views.ticket(idParam(id), req.locale);
    render(req, res, 'help/ticket', { ticket, me: req.auth!.user, composer: { clientId: randomUUID(), body: '' } });
  }

  /** The log alone: a page that reconnects fetches it to catch up with what it missed. */
  @Get('help/:id/log')
  async log(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const ticket = await this.views.ticket(idParam(id), req.locale);
    render(req, res, 'help/_log', { ticket });
  }

  @Post('help/:id/messages')
  async answer(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const conversationId = idParam(id);
    const agent = req.auth!.user;
    const ticket = await this.help.ticket(conversationId); // 404 before anything else
    const message = readMessage(newMessage, body);
    const limit = 'error' in message ? undefined : await this.limits.consume('messages', agent.id);
    const error = 'error' in message ? message.error : limit && !limit.allowed ? 'chat.slowDown' : undefined;
    if (error || 'error' in message) {
      // Back with the text as typed; the page without JavaScript shows the conversation around it.
      const composer = { clientId: text(body, 'clientId') || randomUUID(), body: text(body, 'body'), error };
      return render(
        req,
        res,
        'help/ticket',
        { ticket: this.views.render({ ticket, log: await this.help.log(ticket) }, req.locale), me: agent, composer },
        { fragment: 'help/_composer', status: error === 'chat.slowDown' ? 429 : 422 },
      );
    }
    await this.help.answer(agent, ticket, message.data.clientId, message.data.body);
    if (!isHtmx(req)) return redirect(req, res, `/support/help/${conversationId}`);
    // The log comes with the push every support page gets; the reply is the composer, empty for the next answer.
    render(req, res, 'help/_composer', { ticket, me: agent, composer: { clientId: randomUUID(), body: '' } });
  }

  @Post('help/:id/claim')
  async claim(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.help.claim(req.auth!.user, idParam(id));
    await this.afterChange(req, res, idParam(id));
  }

  @Post('help/:id/release')
  async release(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.help.release(req.auth!.user, idParam(id));
    await this.afterChange(req, res, idParam(id));
  }

  @Post('help/:id/close')
  async close(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.help.close(idParam(id));
    await this.afterChange(req, res, idParam(id));
  }

  private async afterChange(req: GwarRequest, res: Response, conversationId: number): Promise<void> {
    if (!isHtmx(req)) return redirect(req, res, `/support/help/${conversationId}`);
    const ticket = await this.views.ticket(conversationId, req.locale);
    render(req, res, 'help/_ticket-head', { ticket, me: req.auth!.user });
  }
}
