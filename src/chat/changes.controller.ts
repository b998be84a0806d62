import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { optional } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { render } from '../web/view';
import { ChatEnabled } from './chat-enabled.guard';
import { ConversationsService } from './conversations.service';
import { joined, MessageFragments } from './message.fragments';
import { MessagesService } from './messages.service';
import { encodeWatermark, watermarkOf } from './read-watermark';

const since = z.string().regex(/^\d{1,15}$/).transform(Number);

/**
 * The catch-up: every message created, edited or deleted after the change sequence the page holds, rendered
 * like the page and the pushes, with the sequence it brings the page to and the read watermark. 409 when too
 * much was missed to patch in: the page reloads the window instead.
 */
@Controller('chat/conversations/:id/changes')
@UseGuards(ChatEnabled)
export class ChangesController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly fragments: MessageFragments,
  ) {}

  @Get()
  async index(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Query('since') from?: unknown): Promise<void> {
    const conversationId = idParam(id);
    const [position] = await this.conversations.positions(req.auth!.user.id, [conversationId]);
    // The page closes a window it may no longer see, and draws afresh one that missed too much.
    if (!position) return void res.status(404).set('HX-Trigger', 'chat:gone').end();
    const changes = await this.messages.changesSince(conversationId, optional(since, from) ?? 0);
    if (!changes) return void res.status(409).set('HX-Trigger', 'chat:reload').end();
    render(req, res, 'chat/_changes', {
      conversationId,
      seq: changes.seq,
      read: encodeWatermark(position.read),
      html: joined(await this.fragments.render(changes.records, req.locale, position.read)),
    });
  }
}
