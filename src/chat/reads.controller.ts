import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { optional } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { render } from '../web/view';
import { ChatEnabled } from './chat-enabled.guard';
import { ConversationsService } from './conversations.service';
import { idOf } from './message.form';
import { ReadsService } from './reads.service';

/** Reads: how far the user has seen a conversation (the page reports it), and who has read a message. */
@Controller('chat')
@UseGuards(ChatEnabled)
export class ReadsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly reads: ReadsService,
  ) {}

  @Post('conversations/:id/read')
  async create(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const membership = await this.conversations.membership(req.auth!.user, idParam(id));
    const upTo = optional(idOf, body.upTo);
    if (upTo) await this.reads.markRead(membership, upTo);
    res.status(204).end();
  }

  /** The "read by" list of a message's tick, asked for when it is hovered or focused. */
  @Get('messages/:id/readers')
  async readers(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    render(req, res, 'chat/_readers', await this.reads.readers(req.auth!.user, idParam(id)));
  }
}
