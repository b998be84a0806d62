import { EntityManager } from '@mikro-orm/postgresql';
import { refusalText } from '../accounts/plan-refusal';
import { has } from '../accounts/plans';
import { Controller, Get, NotFoundException, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { Attachment } from '../chat/attachment.entity';
import { ChatEnabled } from '../chat/chat-enabled.guard';
import { ConversationsService } from '../chat/conversations.service';
import { MessageFragments } from '../chat/message.fragments';
import { MessageSending, Refusal } from '../chat/message-sending';
import { NOBODY_READ } from '../chat/read-watermark';
import { LimitsService } from '../security/limits.service';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { render } from '../web/view';
import { sendFile, sendThumbnail } from './file-response';
import { FileStorageProvider } from './file-storage.provider';
import { UploadsService } from './uploads.service';

/**
 * Uploading a file into a conversation (if the plan has files), and downloading it again: members only, everyone else
 * gets a 404. Files already sent stay downloadable with the chat, whatever the plan says about sending new ones.
 */
@Controller()
@UseGuards(ChatEnabled)
export class FilesController {
  constructor(
    private readonly uploads: UploadsService,
    private readonly conversations: ConversationsService,
    private readonly sending: MessageSending,
    private readonly fragments: MessageFragments,
    private readonly limits: LimitsService,
    private readonly em: EntityManager,
    private readonly storage: FileStorageProvider,
  ) {}

  @Post('chat/conversations/:id/attachments')
  async create(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const me = req.auth!.user;
    if (!has(req.auth!.company, 'files')) {
      req.resume();
      return render(req, res, 'chat/_composer-error', { message: refusalText('files', req.locale) }, { status: 403 });
    }
    const membership = await this.conversations.membership(me, idParam(id));
    const refused = (await this.sending.refusal(me.id)) ?? (await this.limited(me.id));
    if (refused) {
      req.resume();
      if (refused.retryAfterSeconds) res.set('Retry-After', String(refused.retryAfterSeconds));
      return render(req, res, 'chat/_composer-error', { error: refused.error }, { status: refused.status });
    }
    const result = await this.uploads.receive(req, { user: me }, membership.conversation);
    if (!result.ok) {
      res.set('Connection', 'close');
      return render(req, res, 'chat/_composer-error', { error: result.error, maxMb: Math.round(this.storage.maxBytes / 1048576) }, { status: result.status });
    }
    // The ticks are the page's to colour, as for every other reply.
    const [fragment] = await this.fragments.render([result.record], req.locale, NOBODY_READ);
    res
      .status(result.created ? 201 : 200)
      .vary('HX-Request')
      .type('html')
      .send(fragment.html);
  }

  private async limited(userId: number): Promise<Refusal | undefined> {
    const limit = await this.limits.consume('uploads', userId);
    return limit.allowed ? undefined : { ok: false, status: 429, error: 'limits.tooOften', retryAfterSeconds: limit.retryAfterSeconds };
  }

  @Get('files/:id/thumbnail')
  async thumbnail(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const attachment = await this.visible(req, id);
    if (!attachment.thumbKey) throw new NotFoundException();
    sendThumbnail(res, this.storage.files, attachment.thumbKey);
  }

  @Get('files/:id/:name')
  async download(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const attachment = await this.visible(req, id);
    sendFile(res, this.storage.files, attachment);
  }

  /** The attachment, if the user belongs to its conversation (the company filter keeps other companies out). */
  private async visible(req: GwarRequest, id: string): Promise<Attachment> {
    const attachment = await this.em.findOne(Attachment, { id: idParam(id) });
    if (!attachment || !(await this.conversations.isMember(req.auth!.user.id, attachment.conversation.id))) throw new NotFoundException();
    return attachment;
  }
}
