import { Body, Controller, ForbiddenException, HttpCode, Param, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { LimitsService } from '../security/limits.service';
import { parseForm } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { allowedOrigin } from './origins';
import { LivechatSettingsService } from './settings.service';
import { VisitorDetailsService } from './visitor-details';
import { liveWidget } from './widget-access';
import { TOKEN_HEADER, VisitorsService } from './visitors.service';

function webAddress(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const address = (max: number) => z.string().trim().max(max, 'form.tooLong').refine(webAddress, 'form.invalid');

/**
 * The page of the website the visitor is on, which the widget reports (the loader tells it as the visitor moves):
 * only a page of a website the widget lists, or Gwar's own test page; the browser comes from the request's
 * User-Agent. The widget's own frame calls it, so there is no CORS.
 */
@Controller('livechat/:key/api/page')
export class VisitorPageController {
  constructor(
    private readonly settings: LivechatSettingsService,
    private readonly visitors: VisitorsService,
    private readonly details: VisitorDetailsService,
    private readonly limits: LimitsService,
  ) {}

  @Post()
  @HttpCode(204)
  async report(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string, @Body() body: unknown): Promise<void> {
    const settings = await liveWidget(this.settings, key);
    if (!allowedOrigin(req.get('Origin'), req.get('host'), settings.origins)) throw new ForbiddenException();
    const visitor = await this.visitors.resolve(settings, req.get(TOKEN_HEADER));
    if (!visitor) throw new UnauthorizedException();
    const form = parseForm({ url: address(2000), title: z.string().trim().max(300, 'form.tooLong'), referrer: z.union([z.literal(''), address(2000)]) }, body);
    if (!form.data) return void res.status(422).json({ errors: form.errors });
    const origin = new URL(form.data.url).origin;
    if (!settings.origins.includes(origin) && new URL(form.data.url).host !== req.get('host'))
      return void res.status(422).json({ errors: { url: 'form.invalid' } });
    const limit = await this.limits.consume('livechatPages', visitor.id);
    if (!limit.allowed) return void res.set('Retry-After', String(limit.retryAfterSeconds)).status(429).json({ retryAfterSeconds: limit.retryAfterSeconds });
    await this.details.reportPage(visitor, form.data, (req.get('User-Agent') ?? '').slice(0, 500));
    res.status(204).end();
  }
}
