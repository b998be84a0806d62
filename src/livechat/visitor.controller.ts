import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Options,
  Param,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Challenge } from 'altcha-lib';
import { contentDisposition } from '../files/file-name';
import { FileStorageProvider } from '../files/file-storage.provider';
import { UploadsService } from '../files/uploads.service';
import { LimitsService } from '../security/limits.service';
import { text } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { translator } from '../web/i18n/translator';
import { LivechatChallenge } from './challenge';
import { LiveChat, LivechatChats } from './chats.service';
import { LivechatFiles, UPLOAD_ERRORS } from './files';
import { allowedOrigin } from './origins';
import { LivechatRouting } from './routing.service';
import { LeftMessageChecks } from './left-message-hooks';
import { LivechatSettings, LivechatSettingsService } from './settings.service';
import { stamp, textTranscript, transcriptName } from './transcript';
import { clientId, readMessage, readOffline, readRating, readStart } from './visitor.form';
import { liveWidget, speak } from './widget-access';
import { isOpen, validTimeZone } from './working-hours';
import { TOKEN_HEADER, Visitor, VisitorsService } from './visitors.service';

/**
 * The widget's API, which its iframe's script calls. A key that names no live widget is a 404; a request from an
 * origin the widget does not list is a 403; a visitor is known only by the token in the X-Livechat-Token header
 * (401 without one this server issued), and a chat only through its unguessable public id together with that
 * token (404 otherwise).
 */
@Controller('livechat/:key/api')
export class VisitorController {
  constructor(
    private readonly settings: LivechatSettingsService,
    private readonly visitors: VisitorsService,
    private readonly chats: LivechatChats,
    private readonly routing: LivechatRouting,
    private readonly limits: LimitsService,
    private readonly checks: LeftMessageChecks,
    private readonly challenge: LivechatChallenge,
    private readonly files: LivechatFiles,
    private readonly uploads: UploadsService,
    private readonly storage: FileStorageProvider,
  ) {}

  @Options('*path')
  async preflight(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string): Promise<void> {
    await this.api(req, res, key);
    res.set({ 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': `Content-Type, ${TOKEN_HEADER}`, 'Access-Control-Max-Age': '600' });
    res.status(204).end();
  }

  @Post('visitor')
  @HttpCode(201)
  async issue(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string): Promise<void> {
    const settings = await this.api(req, res, key);
    const limit = await this.limits.consume('livechatTokens', `${settings.companyId}:${req.ip}`);
    if (!limit.allowed) {
      res.set('Retry-After', String(limit.retryAfterSeconds)).status(429).json({ error: 'too_many', retryAfterSeconds: limit.retryAfterSeconds });
      return;
    }
    const { token } = await this.visitors.issue(settings);
    res.status(201).json({ token });
  }

  /** What the widget shows now: the visitor's open chat, else the pre-chat form, else (nobody on duty) the offline form. */
  @Get('state')
  async state(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string): Promise<void> {
    const settings = await this.api(req, res, key);
    speak(req, res);
    const visitor = await this.visitors.resolve(settings, req.get(TOKEN_HEADER));
    const chat = visitor && (await this.chats.openChatOf(visitor));
    if (chat) return this.showChat(res, settings, chat);
    if (!isOpen(settings.hours, settings.timeZone)) return this.offline(res, settings, { outOfHours: true });
    if (!(await this.chats.onDuty(settings.companyId))) return this.offline(res, settings, {});
    this.start(res, settings, {});
  }

  @Post('chats')
  @HttpCode(200)
  async begin(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string, @Body() body: unknown): Promise<void> {
    const settings = await this.api(req, res, key);
    speak(req, res);
    const visitor = await this.visitor(req, settings);
    const form = readStart(settings, body);
    if (!form.data) return this.start(res, settings, { values: form.values, errors: form.errors, clientId: form.values.clientId }, 422);
    const open = await this.chats.openChatOf(visitor);
    if (!open) {
      const limit = await this.limits.consume('livechatAddress', `${settings.companyId}:${req.ip}`);
      if (!limit.allowed) {
        res.set('Retry-After', String(limit.retryAfterSeconds));
        return this.start(
          res,
          settings,
          { values: form.values, errors: {}, clientId: form.data.clientId, error: 'livechat.tooManyChats', retryAfter: limit.retryAfterSeconds },
          429,
        );
      }
      // An address past the threshold of new chats brings a proof of work with each next one.
      if (await this.challenge.over(settings.companyId, req.ip ?? '')) {
        const solved = await this.challenge.check(settings.companyId, text(body, 'altcha'));
        if (!solved.ok) {
          const challenge = await this.challenge.challenge(settings.companyId);
          return this.start(res, settings, { values: form.values, errors: {}, clientId: form.data.clientId, error: solved.error, challenge }, 403);
        }
      }
    }
    // The website's word for who this is (the snippet's data-email and data-hmac); a wrong one is simply not taken.
    const verified = await this.visitors.verify(settings, visitor, text(body, 'identityEmail').trim(), text(body, 'identityHmac').trim());
    await this.visitors.describe(visitor, { name: form.data.name, email: verified ? undefined : form.data.email });
    if (!open && (!isOpen(settings.hours, settings.timeZone) || !(await this.chats.onDuty(settings.companyId)))) {
      // Everyone left while the visitor typed: the message is kept for the company, as the offline form keeps it.
      await this.chats.leaveMessage(settings, visitor, { name: form.data.name, email: form.data.email, phone: '', body: form.data.body });
      return void res.render('livechat/_w-left');
    }
    const chat = await this.chats.start(settings, { ...visitor, name: form.data.name || visitor.name }, form.data.clientId, form.data.body);
    // Routed before the answer, so the visitor sees a queue place only when there is a queue.
    await this.routing.route(settings.companyId, { wait: true });
    this.showChat(res, settings, (await this.chats.ofVisitor(visitor, chat.publicId)) ?? chat);
  }

  @Get('chats/:chat/messages')
  async catchUp(
    @Req() req: GwarRequest,
    @Res() res: Response,
    @Param('key') key: string,
    @Param('chat') publicId: string,
    @Query('after') after: string,
  ): Promise<void> {
    const settings = await this.api(req, res, key);
    speak(req, res);
    const chat = await this.chats.ofVisitor(await this.visitor(req, settings), publicId);
    const from = /^\d{1,15}$/.test(after ?? '') ? Number(after) : 0;
    res.render('livechat/_w-catch-up', {
      chat,
      messages: await this.chats.messages(chat, from),
      position: await this.chats.queuePosition(chat),
      closed: chat.status === 'closed',
    });
  }

  @Post('chats/:chat/messages')
  @HttpCode(200)
  async send(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string, @Param('chat') publicId: string, @Body() body: unknown): Promise<void> {
    const settings = await this.api(req, res, key);
    const t = translator(speak(req, res));
    const visitor = await this.visitor(req, settings);
    const chat = await this.chats.ofVisitor(visitor, publicId);
    if (chat.status === 'closed') throw new NotFoundException();
    const form = readMessage(body);
    if (!form.data)
      return void res
        .status(422)
        .type('text/plain')
        .send(t(form.errors.body ?? 'form.invalid'));
    const limit = await this.limits.consume('livechatMessages', visitor.id);
    if (!limit.allowed) {
      res.set('Retry-After', String(limit.retryAfterSeconds));
      return void res
        .status(429)
        .type('text/plain')
        .send(t('livechat.slowDown', { seconds: limit.retryAfterSeconds }));
    }
    const { seq } = await this.chats.send(chat, { author: 'visitor', name: visitor.name ?? '' }, form.data.clientId, form.data.body);
    res.render('livechat/_message', { message: await this.chats.message(chat, seq) });
  }

  /** A file into the visitor's chat, by the files rules; limited per visitor and per address, saying when to retry. */
  @Post('chats/:chat/files')
  async upload(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string, @Param('chat') publicId: string): Promise<void> {
    let reading = false;
    try {
      const settings = await this.api(req, res, key);
      const t = translator(speak(req, res));
      const visitor = await this.visitor(req, settings);
      const chat = await this.chats.ofVisitor(visitor, publicId);
      if (chat.status === 'closed') throw new NotFoundException();
      for (const [name, counted] of [
        ['livechatUploads', visitor.id],
        ['livechatUploadsAddress', `${settings.companyId}:${req.ip}`],
      ] as const) {
        const limit = await this.limits.consume(name, counted);
        if (!limit.allowed) {
          req.resume();
          res.set('Retry-After', String(limit.retryAfterSeconds));
          return void res
            .status(429)
            .type('text/plain')
            .send(t('livechat.tooManyUploads', { seconds: limit.retryAfterSeconds }));
        }
      }
      reading = true;
      const stored = await this.uploads.receiveStored(req);
      if (!stored.ok) {
        res.set('Connection', 'close');
        return void res
          .status(stored.status)
          .type('text/plain')
          .send(t(UPLOAD_ERRORS[stored.error], { mb: Math.round(this.storage.maxBytes / 1048576) }));
      }
      const id = clientId().safeParse(stored.fields.clientId);
      if (!id.success) {
        await this.uploads.discard([stored.storageKey, stored.thumbKey]);
        return void res.status(422).type('text/plain').send(t('form.invalid'));
      }
      const { seq, created } = await this.chats.send(chat, { author: 'visitor', name: visitor.name ?? '' }, id.data, '', stored);
      // A retried upload of the same message keeps the first copy only.
      if (!created) await this.uploads.discard([stored.storageKey, stored.thumbKey]);
      res.status(created ? 201 : 200).render('livechat/_message', { message: await this.chats.message(chat, seq) });
    } catch (err) {
      if (!reading) req.resume();
      throw err;
    }
  }

  /** A file of the visitor's own chat (by their token); another chat's, a guessed id, a foreign token: 404. */
  @Get('files/:file')
  async download(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string, @Param('file') file: string): Promise<void> {
    const settings = await this.api(req, res, key);
    this.files.download(res, await this.files.ofVisitor(await this.visitor(req, settings), file));
  }

  @Get('files/:file/thumbnail')
  async thumbnail(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string, @Param('file') file: string): Promise<void> {
    const settings = await this.api(req, res, key);
    this.files.thumbnail(res, await this.files.ofVisitor(await this.visitor(req, settings), file));
  }

  /** The visitor's own conversation to keep, as text or a web page, in their time zone when the widget says it. */
  @Get('chats/:chat/transcript')
  async transcript(
    @Req() req: GwarRequest,
    @Res() res: Response,
    @Param('key') key: string,
    @Param('chat') publicId: string,
    @Query('format') format: string,
    @Query('tz') zone: string,
  ): Promise<void> {
    const settings = await this.api(req, res, key);
    const locale = speak(req, res);
    const t = translator(locale);
    const chat = await this.chats.ofVisitor(await this.visitor(req, settings), publicId);
    const messages = await this.chats.messages(chat, 0, null);
    const when = stamp(locale, typeof zone === 'string' && validTimeZone(zone) ? zone : settings.timeZone);
    const title = settings.title || t('livechat.defaultTitle');
    res.set('Cache-Control', 'no-store');
    if (format === 'html') {
      res.set('Content-Disposition', contentDisposition('attachment', transcriptName(chat, 'html')));
      res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      return res.render('livechat/visitor-transcript', { title, chat, messages, when });
    }
    res.set('Content-Disposition', contentDisposition('attachment', transcriptName(chat, 'txt')));
    res.type('text/plain; charset=utf-8').send(textTranscript(t, title, chat, messages, when));
  }

  @Post('chats/:chat/rating')
  @HttpCode(200)
  async rate(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string, @Param('chat') publicId: string, @Body() body: unknown): Promise<void> {
    const settings = await this.api(req, res, key);
    speak(req, res);
    const chat = await this.chats.ofVisitor(await this.visitor(req, settings), publicId);
    if (chat.status !== 'closed') throw new NotFoundException();
    const form = readRating(body);
    if (!form.data) return void res.status(422).render('livechat/_w-status', { closed: true, chat, rating: form });
    await this.chats.rate(chat, form.data.rating, form.data.comment);
    res.render('livechat/_w-status', { closed: true, chat, rated: true });
  }

  @Post('offline')
  @HttpCode(200)
  async leave(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string, @Body() body: unknown): Promise<void> {
    const settings = await this.api(req, res, key);
    speak(req, res);
    const form = readOffline(body);
    const outOfHours = !isOpen(settings.hours, settings.timeZone);
    if (!form.data) return this.offline(res, settings, { values: form.values, errors: form.errors, outOfHours }, 422);
    const limit = await this.limits.consume('livechatAddress', `${settings.companyId}:${req.ip}`);
    if (!limit.allowed) {
      res.set('Retry-After', String(limit.retryAfterSeconds));
      return this.offline(
        res,
        settings,
        { values: form.values, errors: {}, error: 'livechat.tooManyChats', retryAfter: limit.retryAfterSeconds, outOfHours },
        429,
      );
    }
    // A message left is a first message too: past the threshold it brings a proof of work like a new chat.
    if (await this.challenge.over(settings.companyId, req.ip ?? '')) {
      const solved = await this.challenge.check(settings.companyId, text(body, 'altcha'));
      if (!solved.ok) {
        const challenge = await this.challenge.challenge(settings.companyId);
        return this.offline(res, settings, { values: form.values, errors: {}, error: solved.error, challenge, outOfHours }, 403);
      }
    }
    const phone = form.data.phone.trim();
    const refused = phone ? await this.checks.run(settings.companyId, phone) : undefined;
    if (refused) return this.offline(res, settings, { values: form.values, errors: { phone: refused }, outOfHours }, 422);
    const visitor = await this.visitors.resolve(settings, req.get(TOKEN_HEADER));
    await this.chats.leaveMessage(settings, visitor, form.data);
    res.render('livechat/_w-left');
  }

  /** The widget's API answers its own iframe (Gwar's origin) and the websites it lists, with CORS for those. */
  private async api(req: GwarRequest, res: Response, key: string): Promise<LivechatSettings> {
    const settings = await liveWidget(this.settings, key);
    const origin = req.get('Origin');
    if (!allowedOrigin(origin, req.get('host'), settings.origins)) throw new ForbiddenException();
    res.vary('Origin');
    if (origin && settings.origins.includes(origin))
      res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After, Content-Disposition' });
    return settings;
  }

  private async visitor(req: GwarRequest, settings: LivechatSettings): Promise<Visitor> {
    const visitor = await this.visitors.resolve(settings, req.get(TOKEN_HEADER));
    if (!visitor) throw new UnauthorizedException();
    return visitor;
  }

  private async showChat(res: Response, settings: LivechatSettings, chat: LiveChat): Promise<void> {
    res.render('livechat/_w-chat', { settings, chat, messages: await this.chats.messages(chat), position: await this.chats.queuePosition(chat) });
  }

  private start(res: Response, settings: LivechatSettings, form: Partial<StartView>, status = 200): void {
    res.status(status).render('livechat/_w-start', { settings, form: { values: {}, errors: {}, ...form, clientId: form.clientId || randomUUID() } });
  }

  private offline(res: Response, settings: LivechatSettings, form: Partial<StartView> & { outOfHours?: boolean }, status = 200): void {
    res.status(status).render('livechat/_w-offline', { settings, outOfHours: !!form.outOfHours, form: { values: {}, errors: {}, ...form } });
  }
}

interface StartView {
  values: Record<string, string>;
  errors: Record<string, string>;
  clientId: string;
  error: string;
  retryAfter: number;
  challenge: Challenge;
}
