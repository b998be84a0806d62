import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { CompanyAdmin } from '../accounts/access.guards';
import { requireFeature } from '../accounts/plan-refusal';
import type { GwarRequest } from '../web/gwar-request';
import { render } from '../web/view';
import { LivechatChats } from './chats.service';

/** What visitors left while nobody was on duty, the newest first: the company admin reads and answers them by e-mail. */
@Controller('livechat/left-messages')
@UseGuards(CompanyAdmin)
export class LeftMessagesController {
  constructor(private readonly chats: LivechatChats) {}

  @Get()
  async index(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    const { company } = req.auth!;
    requireFeature(company, 'livechat');
    render(req, res, 'livechat/left-messages', { messages: await this.chats.leftMessages(company.id) });
  }
}
