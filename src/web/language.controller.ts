import { Body, Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { z } from 'zod';
import { parseForm } from './form';
import type { GwarRequest } from './gwar-request';
import { LOCALES } from './i18n/translator';
import { LANGUAGE_COOKIE } from './locale.middleware';
import { redirect, safeReturnPath } from './view';

/** The language switch: saved on the user when signed in, in a cookie before. */
@Controller('language')
export class LanguageController {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  async update(@Req() req: GwarRequest, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const { data } = parseForm({ locale: z.enum(LOCALES) }, body);
    if (data) {
      const { locale } = data;
      res.cookie(LANGUAGE_COOKIE, locale, { httpOnly: true, sameSite: 'lax', secure: this.config.cookieSecure, path: '/', maxAge: 365 * 86_400_000 });
      if (req.auth) {
        req.auth.user.locale = locale;
        await this.em.flush();
      }
    }
    redirect(req, res, safeReturnPath((body as { returnTo?: unknown }).returnTo));
  }
}
