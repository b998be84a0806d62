import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { field, parseForm } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { redirect, render } from '../web/view';
import { setSessionCookie } from './session-cookie';
import { SessionsService } from './sessions.service';
import { SetupService } from './setup.service';

const setupForm = { companyName: field.text(200), name: field.text(120), email: field.email(), password: field.password() };

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
    const { values, errors, data } = parseForm(setupForm, body);
    if (!data) {
      const { password: _password, ...typed } = values;
      return render(req, res, 'accounts/setup', { values: typed, errors }, { fragment: 'accounts/_setup-form', status: 422 });
    }
    const admin = await this.setup.run(data);
    if (!admin) return redirect(req, res, '/login');
    setSessionCookie(res, this.config, await this.sessions.start(admin, req.get('User-Agent')));
    redirect(req, res, '/');
  }
}
