import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { render } from '../web/view';
import { ChatEnabled } from './chat-enabled.guard';
import { ConversationsService } from './conversations.service';
import { isManager } from './group-rights';
import { messageView, readStateOf } from './message.view';
import { MessagesService } from './messages.service';

/**
 * The catch-up after a dropped connection: every message created, edited or deleted after the change
 * sequence the page holds, rendered with the same partial as the page and the pushes. 409 when too much
 * was missed to patch in: the page reloads the window instead.
 */
@Controller('chat/conversations/:id/changes')
@UseGuards(ChatEnabled)
export class ChangesController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
  ) {}

  @Get()
  async index(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Query('since') since?: string): Promise<void> {
    const me = req.auth!.user;
    const open = await this.conversations.open(me, idParam(id));
    const seq = /^\d{1,15}$/.test(since ?? '') ? Number(since) : 0;
    const changed = await this.messages.changesSince(open.conversation.id, seq);
    if (!changed) return void res.status(409).end();
    const state = readStateOf(open.members);
    const manages = open.conversation.kind === 'group' && isManager(me.role);
    const mine = await this.messages.recentOwn(open.conversation.id, me.id);
    const objects = await this.messages.objectsFor(changed);
    render(req, res, 'chat/_changes', {
      conversationId: open.conversation.id,
      seq: open.conversation.changeSeq,
      messages: changed.map((m) => messageView(m, me.id, state, manages, objects)),
      receipts: mine.map((m) => messageView(m, me.id, state, manages)),
    });
  }
}
