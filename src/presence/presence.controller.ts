import { Body, Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { SignedIn } from '../accounts/access.guards';
import { requireFeature } from '../accounts/plan-refusal';
import type { GwarRequest } from '../web/gwar-request';
import { isHtmx, redirect, render, safeReturnPath } from '../web/view';
import { PresenceService } from './presence.service';
import { CONSULTANT_STATUSES } from './statuses';

/** The status a user chooses by clicking their dot. */
@Controller('presence/status')
@UseGuards(SignedIn)
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Post()
  async update(@Req() req: GwarRequest, @Res() res: Response, @Body() body: Record<string, unknown>): Promise<void> {
    const { user, company } = req.auth!;
    if ((CONSULTANT_STATUSES as readonly unknown[]).includes(body.status)) requireFeature(company, 'consultantStatuses');
    const chosen = await this.presence.choose(user, company, body.status);
    if (!chosen) {
      if (isHtmx(req)) return render(req, res, 'presence/_refused', {}, { status: 422 });
      return render(
        req,
        res,
        'web/notice',
        { title: req.t('presence.title'), message: req.t('presence.refused'), back: safeReturnPath(body.returnTo) },
        { status: 422 },
      );
    }
    if (!isHtmx(req)) return redirect(req, res, safeReturnPath(body.returnTo));
    // The page reloads its panel, and its chats after Offline, from the push that follows.
    res.status(204).end();
  }
}
