import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { GwarRequest } from './gwar-request';
import { formatDateTime, formatMoney, formatTime, isLocale, localeFromAcceptLanguage, translator } from './i18n/translator';

export const LANGUAGE_COOKIE = 'gwar_lang';

/** After a POST there is no page to reload at the request's URL; the page the form was on is one. */
function sameSiteReferer(req: GwarRequest): string | undefined {
  try {
    const referer = new URL(req.get('Referer') ?? '');
    return referer.host === req.get('host') ? referer.pathname + referer.search : undefined;
  } catch {
    return undefined;
  }
}

/** The user's saved language, else the one chosen before sign-in, else the browser's. */
@Injectable()
export class LocaleMiddleware implements NestMiddleware {
  use(req: GwarRequest, res: Response, next: NextFunction): void {
    const saved = req.auth?.user.locale;
    const cookie = req.cookies?.[LANGUAGE_COOKIE];
    const locale = isLocale(saved) ? saved : isLocale(cookie) ? cookie : localeFromAcceptLanguage(req.get('Accept-Language'));
    req.locale = locale;
    req.t = translator(locale);
    res.locals.locale = locale;
    res.locals.t = req.t;
    res.locals.formatDateTime = (date: Date, timeZone?: string) => formatDateTime(locale, date, timeZone);
    res.locals.formatMoney = (value: string, currency: string) => formatMoney(locale, value, currency);
    res.locals.formatTime = (value: Date | string) => formatTime(locale, new Date(value));
    res.locals.currentPath = req.method === 'GET' ? req.originalUrl : (sameSiteReferer(req) ?? '/');
    res.vary('Accept-Language');
    next();
  }
}
