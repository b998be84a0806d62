import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { isHtmx, redirect, render } from '../web/view';
import { ChatEnabled } from './chat-enabled.guard';
import { conversationView } from './conversation.view';
import { ConversationsService } from './conversations.service';
import { isManager } from './group-rights';
import { isClientId, messageBodyError, optionalId } from './message.form';
import { messageView, readStateOf } from './message.view';
import { MessagesService } from './messages.service';
import { PresenceService } from '../presence/presence.service';

@Controller('chat')
@UseGuards(ChatEnabled)
export class MessagesController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly presence: PresenceService,
  ) {}

  /** Older history, a page before a message id (keyset), to put above what the window shows. */
  @Get('conversations/:id/messages')
  async index(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Query('before') before?: string): Promise<void> {
    const me = req.auth!.user;
    const open = await this.conversations.open(me, idParam(id));
    const page = await this.messages.page(open.conversation.id, optionalId(before));
    render(req, res, 'chat/_older', { conversation: conversationView(me, open, page) });
  }

  @Post('conversations/:id/messages')
  async create(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const me = req.auth!.user;
    const membership = await this.conversations.membership(me, idParam(id));
    const offline = (await this.presence.of(me.id)).status === 'offline';
    const error = offline ? 'presence.offlineChat' : (messageBodyError(body.body) ?? (isClientId(body.clientId) ? null : 'chat.messageInvalid'));
    if (error) {
      if (isHtmx(req)) return render(req, res, 'chat/_composer-error', { error }, { status: offline ? 409 : 422 });
      const open = await this.conversations.open(me, membership.conversation.id);
      const conversation = conversationView(me, open, await this.messages.page(open.conversation.id));
      return render(
        req,
        res,
        'chat/conversation',
        { conversation, mode: 'main', draft: typeof body.body === 'string' ? body.body : '', composerError: error },
        { status: offline ? 409 : 422 },
      );
    }
    const { message, created } = await this.messages.send(
      { user: me },
      membership.conversation,
      body.clientId as string,
      body.body as string,
      optionalId(body.replyTo),
    );
    if (!isHtmx(req)) return redirect(req, res, `/chat/conversations/${membership.conversation.id}#m-${message.clientId}`);
    // Nobody else has read a message stored just now (its ticks follow by push); a retried one shows them as they are.
    const state = created ? { members: [] } : readStateOf((await this.conversations.open(me, membership.conversation.id)).members);
    const objects = await this.messages.objectsFor([message]);
    const view = messageView(message, me.id, state, membership.conversation.kind === 'group' && isManager(me.role), objects);
    render(req, res, 'chat/_message', { m: view }, { status: created ? 201 : 200 });
  }

  @Patch('messages/:id')
  async update(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const me = req.auth!.user;
    const error = messageBodyError(body.body);
    if (error) return render(req, res, 'chat/_composer-error', { error }, { status: 422 });
    const message = await this.messages.edit(me, idParam(id), body.body as string);
    await this.reply(req, res, message.conversation.id, message.id);
  }

  @Delete('messages/:id')
  async destroy(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const message = await this.messages.delete(req.auth!.user, idParam(id));
    await this.reply(req, res, message.conversation.id, message.id);
  }

  private async reply(req: GwarRequest, res: Response, conversationId: number, messageId: number): Promise<void> {
    const me = req.auth!.user;
    const open = await this.conversations.open(me, conversationId);
    const message = await this.messages.find(me, messageId);
    const objects = await this.messages.objectsFor([message]);
    render(req, res, 'chat/_message', {
      m: messageView(message, me.id, readStateOf(open.members), open.conversation.kind === 'group' && isManager(me.role), objects),
    });
  }
}
