import { Body, Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { SignedIn } from '../accounts/access.guards';
import { has } from '../accounts/plans';
import type { GwarRequest } from '../web/gwar-request';
import { isHtmx, redirect, render, safeReturnPath } from '../web/view';
import { ChatSettingsService, parseSettings } from './chat-settings.service';
import { PanelService } from './panel.service';

/** The right panel, and its settings (the gear), kept per user on the server. */
@Controller('chat')
@UseGuards(SignedIn)
export class PanelController {
  constructor(
    private readonly panels: PanelService,
    private readonly settings: ChatSettingsService,
  ) {}

  @Get('panel')
  async show(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    render(req, res, 'chat/_panel', { panel: await this.panels.build(req.auth!.user) });
  }

  @Post('settings')
  async update(@Req() req: GwarRequest, @Res() res: Response, @Body() body: Record<string, unknown>): Promise<void> {
    const patch = parseSettings(body);
    // A page closing its chats because the plan lost the chat does not forget them: an upgrade opens them again.
    if (!has(req.auth!.company, 'chat')) delete patch.openWindows;
    await this.settings.update(req.auth!.user, patch);
    if (!isHtmx(req)) return redirect(req, res, safeReturnPath(body.returnTo));
    if (body.quiet === 'true') return void res.status(204).end();
    render(req, res, 'chat/_panel', { panel: await this.panels.build(req.auth!.user) });
  }
}
