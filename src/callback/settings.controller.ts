import { Body, Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { CompanyAdmin } from '../accounts/access.guards';
import { requireFeature } from '../accounts/plan-refusal';
import { FieldErrors, FormValues, hasErrors, parseForm } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { redirect, render } from '../web/view';
import { callbackSettingsForm, settingsValues } from './settings.form';
import { CallbackSettingsService } from './settings.service';

function daysOf(body: unknown): string[] {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).workDays : undefined;
  return (Array.isArray(raw) ? raw : [raw]).filter((d): d is string => typeof d === 'string');
}

/** Gear → Callback: the company admin's settings (on/off, default country, SLA, retries, claim limit, working hours, limits). */
@Controller('callback/settings')
@UseGuards(CompanyAdmin)
export class CallbackSettingsController {
  constructor(private readonly settings: CallbackSettingsService) {}

  @Get()
  async show(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    const { company } = req.auth!;
    requireFeature(company, 'callback');
    const current = await this.settings.of(company.id);
    this.page(req, res, settingsValues(current), current.workDays.map(String), {}, req.query.saved === '1');
  }

  @Post()
  async save(@Req() req: GwarRequest, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const { company } = req.auth!;
    requireFeature(company, 'callback');
    const form = parseForm(callbackSettingsForm, body);
    if (!form.data || hasErrors(form.errors)) return this.page(req, res, form.values, daysOf(body), form.errors, false, 422);
    const d = form.data;
    if (d.workEnd <= d.workStart) return this.page(req, res, form.values, daysOf(body), { workEnd: 'callback.workEndBeforeStart' }, false, 422);
    await this.settings.save(company.id, {
      enabled: d.enabled,
      defaultCountry: d.defaultCountry,
      slaMinutes: d.slaMinutes,
      retrySeconds: d.retryMinutes * 60,
      maxAttempts: d.maxAttempts,
      claimSeconds: d.claimMinutes * 60,
      timeZone: d.timeZone,
      workDays: [...new Set(d.workDays.map(Number))].sort(),
      workStart: d.workStart,
      workEnd: d.workEnd,
      dailyLimit: d.dailyLimit,
      challengeAfter: d.challengeAfter,
    });
    redirect(req, res, '/callback/settings?saved=1');
  }

  private page(req: GwarRequest, res: Response, values: FormValues, workDays: string[], errors: FieldErrors, saved: boolean, status = 200): void {
    render(req, res, 'callback/settings', { values, workDays, errors, saved }, { fragment: 'callback/_settings-form', status });
  }
}
