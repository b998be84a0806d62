import { Body, Controller, ForbiddenException, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { SignedIn } from '../accounts/access.guards';
import { requireFeature } from '../accounts/plan-refusal';
import { field, parseForm } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { redirect, render } from '../web/view';
import { ChatPageModel } from './chat-page';
import { LivechatChats } from './chats.service';
import { LivechatTransfers } from './transfer.service';

/**
 * A consultant hands their chat to a colleague with a note. A refusal (the colleague went off duty or reached the
 * cap meanwhile) comes back as the form with the reason and the note kept; done, the consultant's page goes home.
 */
@Controller('livechat/chats/:id/transfer')
@UseGuards(SignedIn)
export class TransferController {
  constructor(
    private readonly chats: LivechatChats,
    private readonly transfers: LivechatTransfers,
    private readonly page: ChatPageModel,
  ) {}

  @Post()
  @HttpCode(200)
  async create(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const { user: me, company } = req.auth!;
    requireFeature(company, 'livechat');
    if (!me.livechatConfigured) throw new ForbiddenException();
    const chat = await this.chats.ofConsultant(me, idParam(id));
    const form = parseForm({ to: field.ref(), note: z.string().trim().max(1000, 'form.tooLong') }, body);
    const refusal = form.data ? await this.transfers.transfer(me, chat, form.data.to, form.data.note) : null;
    if (form.data && !refusal) return redirect(req, res, '/');
    const errors = refusal ? { to: refusal.error } : form.errors;
    const transfer = { values: form.values, errors, name: refusal?.name, cap: refusal?.cap };
    render(req, res, 'livechat/chat', await this.page.of(me, chat, { transfer }), { fragment: 'livechat/_transfer-form', status: 422 });
  }
}
