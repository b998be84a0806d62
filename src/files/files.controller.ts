import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get, NotFoundException, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { Attachment } from '../chat/attachment.entity';
import { ChatEnabled } from '../chat/chat-enabled.guard';
import { ConversationMember } from '../chat/conversation-member.entity';
import { ConversationsService } from '../chat/conversations.service';
import { isManager } from '../chat/group-rights';
import { messageView, readStateOf } from '../chat/message.view';
import { MessagesService } from '../chat/messages.service';
import { PresenceService } from '../presence/presence.service';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { render } from '../web/view';
import { contentDisposition } from './file-name';
import { FileStorageProvider } from './file-storage.provider';
import { SAFE_IMAGES } from './sniff';
import { UploadsService } from './uploads.service';

/** Uploading a file into a conversation, and downloading it again: members only, everyone else gets a 404. */
@Controller()
@UseGuards(ChatEnabled)
export class FilesController {
  constructor(
    private readonly uploads: UploadsService,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly presence: PresenceService,
    private readonly em: EntityManager,
    private readonly storage: FileStorageProvider,
  ) {}

  @Post('chat/conversations/:id/attachments')
  async create(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const me = req.auth!.user;
    const membership = await this.conversations.membership(me, idParam(id));
    if ((await this.presence.of(me.id)).status === 'offline') {
      req.resume();
      return render(req, res, 'chat/_composer-error', { error: 'presence.offlineChat' }, { status: 409 });
    }
    const result = await this.uploads.receive(req, me, membership.conversation);
    if (!result.ok) {
      res.set('Connection', 'close');
      return render(req, res, 'chat/_composer-error', { error: result.error, maxMb: Math.round(this.storage.maxBytes / 1048576) }, { status: result.status });
    }
    const open = await this.conversations.open(me, membership.conversation.id);
    const view = messageView(result.message, me.id, readStateOf(open.members), open.conversation.kind === 'group' && isManager(me.role));
    render(req, res, 'chat/_message', { m: view }, { status: result.created ? 201 : 200 });
  }

  @Get('files/:id/thumbnail')
  async thumbnail(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const attachment = await this.visible(req, id);
    if (!attachment.thumbKey) throw new NotFoundException();
    res.set({ 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=86400', 'X-Content-Type-Options': 'nosniff' });
    this.storage.files.read(attachment.thumbKey).pipe(res);
  }

  @Get('files/:id/:name')
  async download(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const attachment = await this.visible(req, id);
    // Only raster images that decoded within the pixel limit (they have a thumbnail) are shown in the page; an image
    // too big to decode, SVG, HTML and everything else is downloaded, never rendered.
    const inline = SAFE_IMAGES.has(attachment.mime) && !!attachment.thumbKey;
    res.set({
      'Content-Type': inline ? attachment.mime : attachment.mime === 'text/plain' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', attachment.name),
      'Content-Length': String(attachment.size),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'",
      'Cache-Control': 'private, max-age=86400',
    });
    const stream = this.storage.files.read(attachment.storageKey);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  /** The attachment, if the user belongs to its conversation (the company filter keeps other companies out). */
  private async visible(req: GwarRequest, id: string): Promise<Attachment> {
    const attachment = await this.em.findOne(Attachment, { id: idParam(id) });
    if (!attachment) throw new NotFoundException();
    const member = await this.em.count(ConversationMember, { conversation: attachment.conversation.id, user: req.auth!.user.id });
    if (!member) throw new NotFoundException();
    return attachment;
  }
}
