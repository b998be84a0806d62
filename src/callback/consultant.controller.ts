import { Body, Controller, ForbiddenException, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { SignedIn } from '../accounts/access.guards';
import { requireFeature } from '../accounts/plan-refusal';
import { field, parseForm } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { isHtmx, redirect, render } from '../web/view';
import { ClaimedByOther, CallbackRequests, OUTCOMES } from './requests.service';
import { CallbackSections } from './sections';
import { CallbackSettingsService } from './settings.service';

const outcomeForm = { outcome: z.enum(OUTCOMES, { error: 'callback.outcomeRequired' }), note: field.optionalText(2000) };

/**
 * A consultant's side: the panel's "CallBack" group, "I am calling" and the outcome. Only users configured for
 * Callback, in a plan that has it, and on duty (a Callback status, a page open); anyone else gets a 403, and a
 * request of another company (or none) a 404.
 */
@Controller('callback')
@UseGuards(SignedIn)
export class CallbackConsultantController {
  constructor(
    private readonly requests: CallbackRequests,
    private readonly sections: CallbackSections,
    private readonly settings: CallbackSettingsService,
  ) {}

  /** The group as a page of its own: where a consultant without JavaScript claims and records outcomes. */
  @Get()
  async page(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    const me = this.configured(req);
    render(req, res, 'callback/queue', { ...(await this.sections.of(me.company.id, me.id)), callbackPage: true });
  }

  @Get('section')
  async section(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    const me = this.configured(req);
    render(req, res, 'callback/_section', await this.sections.of(me.company.id, me.id));
  }

  @Post('requests/:id/claim')
  @HttpCode(200)
  async claim(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const me = await this.onDuty(req);
    const settings = await this.settings.of(me.company.id);
    try {
      await this.requests.claim(settings, idParam(id), me.id);
    } catch (err) {
      if (!(err instanceof ClaimedByOther)) throw err;
      return this.reply(req, res, me, 409, err.by ? { key: 'callback.alreadyClaimed', name: err.by } : { key: 'callback.noLongerWaiting' });
    }
    this.reply(req, res, me, 200);
  }

  @Post('requests/:id/outcome')
  @HttpCode(200)
  async outcome(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const me = await this.onDuty(req);
    const requestId = idParam(id);
    const form = parseForm(outcomeForm, body);
    if (!form.data) return this.reply(req, res, me, 422, { key: form.errors.outcome ?? form.errors.note ?? 'form.invalid' });
    const settings = await this.settings.of(me.company.id);
    try {
      await this.requests.outcome(settings, requestId, me.id, form.data.outcome, form.data.note);
    } catch (err) {
      if (!(err instanceof ClaimedByOther)) throw err;
      return this.reply(req, res, me, 409, { key: 'callback.notYours' });
    }
    this.reply(req, res, me, 200);
  }

  private async reply(req: GwarRequest, res: Response, me: { id: number; company: { id: number } }, status: number, error?: { key: string; name?: string }) {
    if (!isHtmx(req) && status === 200) return redirect(req, res, '/callback');
    render(
      req,
      res,
      'callback/queue',
      { ...(await this.sections.of(me.company.id, me.id)), error, callbackPage: true },
      { status, fragment: 'callback/_section' },
    );
  }

  private configured(req: GwarRequest) {
    const { user, company } = req.auth!;
    requireFeature(company, 'callback');
    if (!user.callbackConfigured) throw new ForbiddenException();
    return { id: user.id, company: { id: company.id } };
  }

  private async onDuty(req: GwarRequest) {
    const me = this.configured(req);
    if (!(await this.sections.isOnDuty(me.company.id, me.id))) throw new ForbiddenException();
    return me;
  }
}
