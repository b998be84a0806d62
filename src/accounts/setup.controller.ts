import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { FieldErrors, hasErrors, requireEmail, requirePassword, requireText, text } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { redirect, render } from '../web/view';
import { setSessionCookie } from './session-cookie';
import { SessionsService } from './sessions.service';
import { SetupService } from './setup.service';

@Controller('setup')
export class SetupController {
  constructor(
    private readonly setup: SetupService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async show(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    if (await this.setup.done()) return redirect(req, res, '/login');
    render(req, res, 'accounts/setup', { values: {}, errors: {} });
  }

  @Post()
  async create(@Req() req: GwarRequest, @Res() res: Response, @Body() body: unknown): Promise<void> {
    if (await this.setup.done()) return redirect(req, res, '/login');
    const errors: FieldErrors = {};
    const values = { companyName: text(body, 'companyName'), name: text(body, 'name'), email: text(body, 'email') };
    const input = {
      companyName: requireText(errors, 'companyName', values.companyName, 200),
      name: requireText(errors, 'name', values.name, 120),
      email: requireEmail(errors, 'email', values.email),
      password: requirePassword(errors, 'password', text(body, 'password')),
    };
    if (hasErrors(errors)) {
      return render(req, res, 'accounts/setup', { values, errors }, { fragment: 'accounts/_setup-form', status: 422 });
    }
    const admin = await this.setup.run(input);
    if (!admin) return redirect(req, res, '/login');
    setSessionCookie(res, this.config, await this.sessions.start(admin, req.get('User-Agent')));
    redirect(req, res, '/');
  }
}
