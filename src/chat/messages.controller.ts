import { Body, ConflictException, Controller, Delete, Get, Param, Patch, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { optional } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { isHtmx, redirect, render } from '../web/view';
import { ChatEnabled } from './chat-enabled.guard';
import { ConversationWindows } from './conversation.view';
import { editedMessage, idOf, readMessage } from './message.form';
import { MessageFragments } from './message.fragments';
import { MessageSending, Refusal } from './message-sending';
import type { MessageRecord } from './message.view';
import { MessagesService } from './messages.service';
import { NOBODY_READ } from './read-watermark';

/**
 * Messages over HTTP: the plain form without JavaScript, and edits and deletions from the page. (The page
 * sends over its socket; see the realtime gateway.) Every reply is the message as it now is.
 */
@Controller('chat')
@UseGuards(ChatEnabled)
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly sending: MessageSending,
    private readonly windows: ConversationWindows,
    private readonly fragments: MessageFragments,
  ) {}

  /** Older history, a page before a message id (keyset), to put above what the window shows. */
  @Get('conversations/:id/messages')
  async index(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Query('before') before?: unknown): Promise<void> {
    const conversation = await this.windows.open(req.auth!.user, idParam(id), req.locale, optional(idOf, before));
    render(req, res, 'chat/_older', { conversation });
  }

  @Post('conversations/:id/messages')
  async create(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const me = req.auth!.user;
    const conversationId = idParam(id);
    const sent = await this.sending.send(me.id, conversationId, body);
    if (!sent.ok) {
      if (isHtmx(req)) return this.refused(req, res, sent);
      if (sent.retryAfterSeconds) res.set('Retry-After', String(sent.retryAfterSeconds));
      // Without JavaScript the page comes back with the reason and the text as typed.
      const conversation = await this.windows.open(me, conversationId, req.locale);
      const draft = typeof body.body === 'string' ? body.body : '';
      return render(req, res, 'chat/conversation', { conversation, mode: 'main', draft, composerError: sent.error }, { status: sent.status });
    }
    if (!isHtmx(req)) return redirect(req, res, `/chat/conversations/${conversationId}#m-${sent.record.clientId}`);
    await this.reply(req, res, sent.record, sent.created ? 201 : 200);
  }

  @Patch('messages/:id')
  async update(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const me = req.auth!.user;
    const messageId = idParam(id);
    const edit = readMessage(editedMessage, body);
    if ('error' in edit) return this.refused(req, res, { ok: false, status: 422, error: edit.error });
    const refused = (await this.sending.refusal(me.id)) ?? (await this.sending.limited(me.id));
    if (refused) return this.refused(req, res, refused);
    const edited = await this.messages.edit(me, messageId, edit.data.body).catch((err: unknown) => {
      if (err instanceof ConflictException) return undefined;
      throw err;
    });
    if (!edited) return this.refused(req, res, { ok: false, status: 409, error: 'chat.messageGone' });
    await this.reply(req, res, edited);
  }

  @Delete('messages/:id')
  async destroy(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const me = req.auth!.user;
    const messageId = idParam(id);
    const refused = (await this.sending.refusal(me.id)) ?? (await this.sending.limited(me.id));
    if (refused) return this.refused(req, res, refused);
    await this.reply(req, res, await this.messages.delete(me, messageId));
  }

  /** The ticks of a reply are the page's to colour (from its read watermark), like a push's. */
  private async reply(req: GwarRequest, res: Response, record: MessageRecord, status = 200): Promise<void> {
    const [fragment] = await this.fragments.render([record], req.locale, NOBODY_READ);
    res.status(status).vary('HX-Request').type('html').send(fragment.html);
  }

  private refused(req: GwarRequest, res: Response, refusal: Refusal): void {
    if (refusal.retryAfterSeconds) res.set('Retry-After', String(refusal.retryAfterSeconds));
    render(req, res, 'chat/_composer-error', { error: refusal.error }, { status: refusal.status });
  }
}
