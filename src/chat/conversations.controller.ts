import { Controller, Get, Param, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { GwarRequest } from '../web/gwar-request';
import { optional } from '../web/form';
import { idParam } from '../web/id-param';
import { isHtmx, redirect, render } from '../web/view';
import { ChatEnabled } from './chat-enabled.guard';
import { ConversationWindows } from './conversation.view';
import { ConversationsService } from './conversations.service';
import { idOf } from './message.form';
import { MessagesService } from './messages.service';

/** Opens a conversation: a window fragment for htmx, a whole page (the main panel) without JavaScript. */
@Controller('chat')
@UseGuards(ChatEnabled)
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly windows: ConversationWindows,
    private readonly messages: MessagesService,
  ) {}

  @Get('conversations/:id')
  async show(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const atId = optional(idOf, req.query.at);
    // A message too far back to open the live conversation at is read on the page around it.
    if (atId && !isHtmx(req)) {
      const membership = await this.conversations.membership(req.auth!.user, idParam(id));
      if (await this.messages.tooDeep(membership.conversation.id, atId)) {
        return redirect(req, res, `/chat/conversations/${membership.conversation.id}/around/${atId}`);
      }
    }
    const conversation = await this.windows.open(req.auth!.user, idParam(id), req.locale, undefined, atId);
    render(req, res, 'chat/conversation', { conversation, mode: req.query.mode === 'main' ? 'main' : 'window' }, { fragment: 'chat/_window' });
  }

  /** A colleague's one-to-one conversation, made on first use. */
  @Get('users/:userId')
  async direct(@Req() req: GwarRequest, @Res() res: Response, @Param('userId') userId: string): Promise<void> {
    const conversation = await this.conversations.direct(req.auth!.user, idParam(userId));
    if (!isHtmx(req)) return redirect(req, res, `/chat/conversations/${conversation.id}`);
    await this.show(req, res, String(conversation.id));
  }
}
