import { Controller, Get, NotFoundException, Param, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { render } from '../web/view';
import { ChatEnabled } from './chat-enabled.guard';
import { ConversationWindows } from './conversation.view';

/**
 * A message further back than a conversation opens at (a search hit, the source of a CRM record), read among its
 * neighbours on a page of its own, with links further back, further on, and to the live conversation.
 */
@Controller('chat/conversations/:id/around')
@UseGuards(ChatEnabled)
export class MessageContextController {
  constructor(private readonly windows: ConversationWindows) {}

  @Get(':messageId')
  async show(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Param('messageId') messageId: string): Promise<void> {
    const around = await this.windows.around(req.auth!.user, idParam(id), idParam(messageId), req.locale);
    if (!around) throw new NotFoundException();
    render(req, res, 'chat/around', { around });
  }
}
