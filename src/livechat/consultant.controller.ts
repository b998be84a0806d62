import { Body, Controller, ForbiddenException, Get, HttpCode, NotFoundException, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { SignedIn } from '../accounts/access.guards';
import { requireFeature } from '../accounts/plan-refusal';
import type { User } from '../accounts/user.entity';
import { FileStorageProvider } from '../files/file-storage.provider';
import { UploadsService } from '../files/uploads.service';
import { LimitsService } from '../security/limits.service';
import { text } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { isHtmx, redirect, render } from '../web/view';
import { ChatPageModel } from './chat-page';
import { LiveChat, LivechatChats } from './chats.service';
import { LivechatFiles, UPLOAD_ERRORS } from './files';
import { LivechatSections } from './sections';
import { readMessage } from './visitor.form';

/**
 * A consultant's side: the panel's Livechat section, and each chat assigned to them (its log, and the answer
 * that accepts it). Only users configured for Livechat, in a plan that has it; a chat that is not theirs is a 404.
 */
@Controller('livechat')
@UseGuards(SignedIn)
export class ConsultantController {
  constructor(
    private readonly chats: LivechatChats,
    private readonly sections: LivechatSections,
    private readonly limits: LimitsService,
    private readonly page: ChatPageModel,
    private readonly files: LivechatFiles,
    private readonly uploads: UploadsService,
    private readonly storage: FileStorageProvider,
  ) {}

  @Get('section')
  async section(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    const me = this.consultant(req);
    render(req, res, 'livechat/_section', await this.sections.of(me.company.id, me.id));
  }

  @Get('chats/:id')
  async show(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const me = this.consultant(req);
    const chat = await this.chats.ofConsultant(me, idParam(id));
    render(req, res, 'livechat/chat', await this.page.of(me, chat));
  }

  /** The log alone: a page that reconnects fetches it to catch up with what it missed. */
  @Get('chats/:id/log')
  async log(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const chat = await this.chats.ofConsultant(this.consultant(req), idParam(id));
    render(req, res, 'livechat/_log', { chat, messages: await this.chats.messages(chat) });
  }

  @Post('chats/:id/messages')
  @HttpCode(200)
  async answer(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const me = this.consultant(req);
    const chat = await this.chats.ofConsultant(me, idParam(id)).catch((err: unknown) => {
      // A chat that moved on (or closed) while the answer was typed: the page says so where the composer was.
      if (err instanceof NotFoundException && isHtmx(req)) return null;
      throw err;
    });
    if (!chat) return render(req, res, 'livechat/_composer-gone', { chatId: idParam(id) }, { status: 404 });
    const form = readMessage(body);
    const limit = form.data ? await this.limits.consume('messages', me.id) : undefined;
    const error = form.data ? (limit && !limit.allowed ? 'chat.slowDown' : undefined) : (form.errors.body ?? 'form.invalid');
    if (error || !form.data) {
      const composer = { clientId: text(body, 'clientId') || randomUUID(), body: text(body, 'body'), error };
      const status = error === 'chat.slowDown' ? 429 : 422;
      return render(req, res, 'livechat/chat', await this.page.of(me, chat, { composer }), { fragment: 'livechat/_composer', status });
    }
    await this.chats.send(chat, { author: 'consultant', name: me.name, consultantId: me.id }, form.data.clientId, form.data.body);
    if (!isHtmx(req)) return redirect(req, res, `/livechat/chats/${chat.id}`);
    // The log comes with the push the consultant's pages get; the reply is the composer, empty for the next answer.
    render(req, res, 'livechat/_composer', { chat, composer: { clientId: randomUUID(), body: '' } });
  }

  /** The consultant ends the chat: the visitor is told and asked for a rating; the consultant's page goes home. */
  @Post('chats/:id/close')
  async close(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const chat = await this.chats.ofConsultant(this.consultant(req), idParam(id));
    await this.chats.close(chat);
    redirect(req, res, '/');
  }

  /** A file into the consultant's chat (theirs now), by the files rules; it shows in the visitor's widget at once. */
  @Post('chats/:id/files')
  async upload(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    let chat: LiveChat;
    let me: User;
    try {
      me = this.consultant(req);
      chat = await this.chats.ofConsultant(me, idParam(id));
    } catch (err) {
      req.resume();
      throw err;
    }
    const limit = await this.limits.consume('uploads', me.id);
    if (!limit.allowed) {
      req.resume();
      res.set('Retry-After', String(limit.retryAfterSeconds));
      return this.uploadForm(req, res, chat, 'limits.tooOften', 429);
    }
    const stored = await this.uploads.receiveStored(req);
    if (!stored.ok) {
      res.set('Connection', 'close');
      return this.uploadForm(req, res, chat, UPLOAD_ERRORS[stored.error], stored.status);
    }
    const clientId = /^[0-9a-f-]{36}$/i.test(stored.fields.clientId ?? '') ? stored.fields.clientId : randomUUID();
    const sent = await this.chats.send(chat, { author: 'consultant', name: me.name, consultantId: me.id }, clientId, '', stored).catch(async (err: unknown) => {
      await this.uploads.discard([stored.storageKey, stored.thumbKey]);
      throw err;
    });
    if (!sent.created) await this.uploads.discard([stored.storageKey, stored.thumbKey]);
    if (!isHtmx(req)) return redirect(req, res, `/livechat/chats/${chat.id}`);
    this.uploadForm(req, res, chat);
  }

  /** A file of a Livechat chat the user holds or answered in (any of the company's, for its admins and directors). */
  @Get('files/:file')
  async download(@Req() req: GwarRequest, @Res() res: Response, @Param('file') file: string): Promise<void> {
    this.files.download(res, await this.files.ofStaff(this.staff(req), file));
  }

  @Get('files/:file/thumbnail')
  async thumbnail(@Req() req: GwarRequest, @Res() res: Response, @Param('file') file: string): Promise<void> {
    this.files.thumbnail(res, await this.files.ofStaff(this.staff(req), file));
  }

  /**
   * "Delete this visitor": their chats, messages, files and details, at once. The company's admins and directors
   * for any chat of the company; a consultant for the chat they hold (the visitor asked them).
   */
  @Post('chats/:id/visitor/delete')
  async eraseVisitor(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const me = this.staff(req);
    const chat = await this.chats.byId(me.company.id, idParam(id));
    const mayErase = me.role === 'admin' || me.role === 'director' || (chat?.consultantId === me.id && chat.status !== 'closed');
    if (!chat || !mayErase) throw new NotFoundException();
    await this.files.eraseVisitor(chat.companyId, chat.visitorId);
    redirect(req, res, '/livechat/visitor-deleted');
  }

  @Get('visitor-deleted')
  erased(@Req() req: GwarRequest, @Res() res: Response): void {
    this.staff(req);
    render(req, res, 'livechat/visitor-deleted', {});
  }

  private uploadForm(req: GwarRequest, res: Response, chat: LiveChat, error?: string, status = 200): void {
    render(req, res, 'livechat/_upload', { chat, upload: { clientId: randomUUID(), error, maxMb: Math.round(this.storage.maxBytes / 1048576) } }, { status });
  }

  /** Who may reach Livechat files and visitors at all: its consultants, and the company's admins and directors. */
  private staff(req: GwarRequest): User {
    const { user, company } = req.auth!;
    requireFeature(company, 'livechat');
    if (!user.livechatConfigured && user.role !== 'admin' && user.role !== 'director') throw new NotFoundException();
    return user;
  }

  private consultant(req: GwarRequest) {
    const { user, company } = req.auth!;
    requireFeature(company, 'livechat');
    if (!user.livechatConfigured) throw new ForbiddenException();
    return user;
  }
}
