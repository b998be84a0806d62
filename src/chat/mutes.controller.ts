import { Body, Controller, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { isHtmx, redirect, render, safeReturnPath } from '../web/view';
import { ChatEnabled } from './chat-enabled.guard';
import { ConversationsService } from './conversations.service';

/** A member mutes or unmutes a conversation from its window's menu; anyone else gets a 404. */
@Controller('chat')
@UseGuards(ChatEnabled)
export class MutesController {
  constructor(private readonly conversations: ConversationsService) {}

  @Post('conversations/:id/mute')
  async update(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const membership = await this.conversations.membership(req.auth!.user, idParam(id));
    // Anything but a clear "true" or "false" changes nothing and shows the state as it is.
    if (body.muted === 'true' || body.muted === 'false') await this.conversations.setMuted(membership, body.muted === 'true');
    if (!isHtmx(req)) return redirect(req, res, safeReturnPath(body.returnTo));
    render(req, res, 'chat/_mute', { c: { id: membership.conversation.id, muted: membership.muted } });
  }
}
