import type { Response } from 'express';
import type { AppConfig } from '../config/app-config';
import { SESSION_COOKIE } from './sessions.service';

export function setSessionCookie(res: Response, config: AppConfig, token: string): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.cookieSecure,
    path: '/',
    maxAge: config.sessionDays * 86_400_000,
  });
}
