import { Body, Controller, ForbiddenException, Get, HttpCode, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { allowedOrigin } from '../livechat/origins';
import { LivechatSettingsService } from '../livechat/settings.service';
import { speak } from '../livechat/widget-access';
import { text } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import type { Locale } from '../web/i18n/translator';
import { CallbackIntake } from './intake.service';
import { CallbackSettings, CallbackSettingsService } from './settings.service';
import { nextSlots } from './slots';

/** The website page a request came from: an http(s) address, or nothing. */
function pageOf(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000 || !/^https?:\/\/[^\s]+$/i.test(value)) return '';
  return value;
}

/** The widget's "Call me back" tab: its form, and the request it sends (HTML in, HTML out, like the rest of the widget). */
@Controller('livechat/:key/api/callback')
export class WidgetCallbackController {
  constructor(
    private readonly widgets: LivechatSettingsService,
    private readonly settings: CallbackSettingsService,
    private readonly intake: CallbackIntake,
  ) {}

  @Get()
  async form(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string, @Query('page') page: unknown): Promise<void> {
    const settings = await this.open(req, res, key);
    this.show(res, key, settings, speak(req, res), { values: { page: pageOf(page) }, errors: {} });
  }

  @Post()
  @HttpCode(200)
  async send(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string, @Body() body: unknown): Promise<void> {
    const settings = await this.open(req, res, key);
    const locale = speak(req, res);
    const values = Object.fromEntries(['phone', 'name', 'topic', 'preferredTime', 'consent', 'page'].map((f) => [f, text(body, f)]));
    values.page = pageOf(values.page);
    const input = {
      phone: values.phone,
      name: values.name.trim().slice(0, 120),
      topic: values.topic.trim().slice(0, 500),
      preferredTime: values.preferredTime || 'asap',
      consent: values.consent === 'on',
      page: values.page,
      // The ALTCHA widget's solution, when an address over the threshold was asked for one.
      challenge: text(body, 'altcha').slice(0, 4000) || undefined,
    };
    if (values.name.length > 120 || values.topic.length > 500)
      return this.show(res, key, settings, locale, { values, errors: values.name.length > 120 ? { name: 'form.tooLong' } : { topic: 'form.tooLong' } }, 422);
    const result = await this.intake.submit(settings, input, { ip: req.ip ?? '', source: 'widget' });
    if (result.ok) return void res.render('callback/_w-done', { phone: result.phone, merged: result.merged });
    if (result.kind === 'invalid') return this.show(res, key, settings, locale, { values, errors: { [result.field]: result.key } }, 422);
    if (result.kind === 'challenge') return this.show(res, key, settings, locale, { values, errors: {}, error: result.key, challenge: result.challenge }, 403);
    if (result.kind === 'limited') res.set('Retry-After', String(result.retryAfter));
    this.show(res, key, settings, locale, { values, errors: {}, error: result.key, retryAfter: result.kind === 'limited' ? result.retryAfter : 0 }, 429);
  }

  /** The widget's key, from its own iframe or a website it lists, of a company whose Callback is on; else 404 (or 403). */
  private async open(req: GwarRequest, res: Response, key: string): Promise<CallbackSettings> {
    const widget = await this.widgets.byKey(key);
    const settings = widget && (await this.settings.live(widget.companyId));
    if (!widget || !settings) throw new NotFoundException();
    const origin = req.get('Origin');
    if (!allowedOrigin(origin, req.get('host'), widget.origins)) throw new ForbiddenException();
    res.vary('Origin');
    if (origin && widget.origins.includes(origin)) res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After' });
    return settings;
  }

  private show(res: Response, key: string, settings: CallbackSettings, locale: Locale, form: object, status = 200): void {
    // A slot is the company's wall-clock time: written as UTC and read as UTC, it shows as it is.
    const format = new Intl.DateTimeFormat(locale === 'pl' ? 'pl-PL' : 'en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'UTC',
    });
    const slots = nextSlots(settings).map((value) => ({ value, label: format.format(new Date(`${value}:00Z`)) }));
    res.status(status).render('callback/_w-form', { key, form, slots });
  }
}
