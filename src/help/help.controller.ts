import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ChatEnabled } from '../chat/chat-enabled.guard';
import { ConversationWindows } from '../chat/conversation.view';
import type { GwarRequest } from '../web/gwar-request';
import { isHtmx, redirect, render } from '../web/view';
import { HelpService } from './help.service';

/** The user's side: the panel's Help entry opens their Help conversation, made on first use, as any chat window. */
@Controller('chat/help')
@UseGuards(ChatEnabled)
export class HelpController {
  constructor(
    private readonly help: HelpService,
    private readonly windows: ConversationWindows,
  ) {}

  @Get()
  async open(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    const { id } = await this.help.conversationOf(req.auth!.user);
    if (!isHtmx(req)) return redirect(req, res, `/chat/conversations/${id}`);
    const conversation = await this.windows.open(req.auth!.user, id, req.locale);
    render(req, res, 'chat/conversation', { conversation, mode: req.query.mode === 'main' ? 'main' : 'window' }, { fragment: 'chat/_window' });
  }
}
