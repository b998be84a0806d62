import { Body, Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { CompanyAdmin } from '../accounts/access.guards';
import { requireFeature } from '../accounts/plan-refusal';
import { FieldErrors, FormValues, hasErrors, parseForm } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { redirect, render } from '../web/view';
import { settingsForm } from './settings.form';
import { LivechatSettings, LivechatSettingsService } from './settings.service';
import { hoursFields, hoursValues, readHours, WEEK_ORDER } from './working-hours';

function valuesOf(s: LivechatSettings): FormValues {
  return {
    enabled: s.enabled ? 'on' : '',
    title: s.title,
    greeting: s.greeting,
    colour: s.colour,
    origins: s.origins.join('\n'),
    nameField: s.nameField,
    emailField: s.emailField,
    consent: s.consent,
    offlineText: s.offlineText,
    maxChats: String(s.maxChats),
    rerouteSeconds: String(s.rerouteSeconds),
    retentionDays: String(s.retentionDays),
    ...hoursValues(s.hours, s.timeZone),
  };
}

/** The one line a website pastes: async, so the host page never waits for it. */
export function snippetOf(req: GwarRequest, publicKey: string): string {
  return `<script async src="${req.protocol}://${req.get('host')}/livechat/${publicKey}/loader.js"></script>`;
}

/** The snippet with a signed-in visitor's e-mail and its HMAC, which the website's server fills in. */
export function identitySnippetOf(req: GwarRequest, publicKey: string): string {
  return `<script async src="${req.protocol}://${req.get('host')}/livechat/${publicKey}/loader.js" data-email="anna@example.com" data-hmac="HMAC-SHA256(secret, e-mail), hex"></script>`;
}

/** Gear → Livechat: the company admin's widget settings, its snippet and a page to try it on. */
@Controller('livechat/settings')
@UseGuards(CompanyAdmin)
export class LivechatSettingsController {
  constructor(private readonly settings: LivechatSettingsService) {}

  @Get()
  async show(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    const { company } = req.auth!;
    requireFeature(company, 'livechat');
    const current = await this.settings.of(company.id);
    this.page(req, res, current, valuesOf(current), {}, req.query.saved === '1', 200, req.query.secret === '1');
  }

  @Post()
  async save(@Req() req: GwarRequest, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const { company } = req.auth!;
    requireFeature(company, 'livechat');
    const form = parseForm(settingsForm, body);
    const week = parseForm(hoursFields, body);
    const hours = week.data ? readHours(week.data) : { hours: null, errors: {} };
    const errors = { ...form.errors, ...week.errors, ...hours.errors };
    if (!form.data || !week.data || hasErrors(errors)) {
      // An unticked box sends nothing: the form comes back as it was typed, the box as it was left.
      return this.page(req, res, await this.settings.of(company.id), { ...form.values, ...week.values }, errors, false, 422);
    }
    await this.settings.save(company.id, { ...form.data, hours: hours.hours, timeZone: String(week.data.timeZone) });
    redirect(req, res, '/livechat/settings?saved=1');
  }

  /** A new identity secret; the page says the website must sign with it from now on. */
  @Post('identity-secret')
  async regenerate(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    const { company } = req.auth!;
    requireFeature(company, 'livechat');
    await this.settings.regenerateSecret(company.id);
    redirect(req, res, '/livechat/settings?secret=1');
  }

  @Get('test')
  async test(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    const { company } = req.auth!;
    requireFeature(company, 'livechat');
    const current = await this.settings.of(company.id);
    render(req, res, 'livechat/test', { settings: current, snippet: snippetOf(req, current.publicKey) });
  }

  private page(
    req: GwarRequest,
    res: Response,
    current: LivechatSettings,
    values: FormValues,
    errors: FieldErrors,
    saved: boolean,
    status = 200,
    secretChanged = false,
  ): void {
    render(
      req,
      res,
      'livechat/settings',
      {
        settings: current,
        values,
        errors,
        saved,
        secretChanged,
        weekOrder: WEEK_ORDER,
        snippet: snippetOf(req, current.publicKey),
        identitySnippet: identitySnippetOf(req, current.publicKey),
      },
      { fragment: 'livechat/_settings-form', status },
    );
  }
}
