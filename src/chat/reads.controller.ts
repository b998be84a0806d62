import { Body, Controller, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { ChatEnabled } from './chat-enabled.guard';
import { ConversationsService } from './conversations.service';
import { optionalId } from './message.form';
import { ReadsService } from './reads.service';

/** A read: the page tells how far the user has seen a conversation. */
@Controller('chat/conversations/:id/read')
@UseGuards(ChatEnabled)
export class ReadsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly reads: ReadsService,
  ) {}

  @Post()
  async create(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const membership = await this.conversations.membership(req.auth!.user, idParam(id));
    const upTo = optionalId(body.upTo);
    if (upTo) await this.reads.markRead(membership, upTo);
    res.status(204).end();
  }
}
