import { Body, Controller, Get, Inject, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { z } from 'zod';
import { field, parseForm } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { redirect, render } from '../web/view';
import { InvitationsService } from './invitations.service';
import { setSessionCookie } from './session-cookie';
import { SessionsService } from './sessions.service';

const passwordForm = { password: field.password(), passwordConfirm: z.string() };

@Controller('invite')
export class InvitationsController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':token')
  async show(@Req() req: GwarRequest, @Res() res: Response, @Param('token') token: string): Promise<void> {
    const user = await this.invitations.find(token);
    if (!user) throw new NotFoundException();
    render(req, res, 'accounts/invite', { invitee: user, token, errors: {} });
  }

  @Post(':token')
  async accept(@Req() req: GwarRequest, @Res() res: Response, @Param('token') token: string, @Body() body: unknown): Promise<void> {
    const user = await this.invitations.find(token);
    if (!user) throw new NotFoundException();
    const { values, errors, data } = parseForm(passwordForm, body);
    if (!errors.password && values.password !== values.passwordConfirm) errors.passwordConfirm = 'form.passwordMismatch';
    if (!data || errors.passwordConfirm) {
      return render(req, res, 'accounts/invite', { invitee: user, token, errors }, { fragment: 'accounts/_invite-form', status: 422 });
    }
    await this.invitations.accept(user, data.password);
    setSessionCookie(res, this.config, await this.sessions.start(user, req.get('User-Agent')));
    redirect(req, res, '/');
  }
}
