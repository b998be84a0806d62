import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { z } from 'zod';
import { FieldErrors, parseForm } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { redirect, render, safeReturnPath } from '../web/view';
import { SignedIn } from './access.guards';
import { setSessionCookie } from './session-cookie';
import { SESSION_COOKIE, SessionsService } from './sessions.service';
import { SetupService } from './setup.service';

/** Whatever is typed is tried (and counted by the limits): a wrong e-mail is only ever "invalid". */
const signInForm = {
  email: z.string().trim().toLowerCase().min(1, 'form.required').max(254, 'form.tooLong'),
  password: z.string().min(1, 'form.required').max(1000, 'form.tooLong'),
  returnTo: z.string(),
};

/** Signing in creates a session, signing out destroys it. */
@Controller()
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly setup: SetupService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('login')
  async new(@Req() req: GwarRequest, @Res() res: Response, @Query('returnTo') returnTo?: string): Promise<void> {
    if (!(await this.setup.done())) return redirect(req, res, '/setup');
    if (req.auth) return redirect(req, res, safeReturnPath(returnTo));
    render(req, res, 'accounts/login', { values: { returnTo: safeReturnPath(returnTo) }, errors: {} });
  }

  @Post('login')
  async create(@Req() req: GwarRequest, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(signInForm, body);
    const values = { email: form.values.email, returnTo: safeReturnPath(form.values.returnTo) };
    const errors: FieldErrors = form.errors;
    let status = 422;
    if (form.data) {
      const { email, password } = form.data;
      const result = await this.sessions.signIn(email, password, req.ip ?? 'unknown', req.get('User-Agent'));
      if (result.ok) {
        setSessionCookie(res, this.config, result.token);
        return redirect(req, res, values.returnTo);
      }
      if (result.reason === 'throttled') {
        status = 429;
        res.set('Retry-After', String(result.retryAfterSeconds ?? 60));
        errors.form = 'auth.throttled';
      } else {
        status = 401;
        errors.form = 'auth.invalid';
      }
    }
    render(req, res, 'accounts/login', { values, errors }, { fragment: 'accounts/_login-form', status });
  }

  @Post('logout')
  async destroy(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) await this.sessions.end(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    redirect(req, res, '/login');
  }

  @Post('logout/everywhere')
  @UseGuards(SignedIn)
  async destroyAll(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    await this.sessions.endAll(req.auth!.user);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    redirect(req, res, '/login');
  }
}
