import { NotFoundException } from '@nestjs/common';
import type { Response } from 'express';
import type { GwarRequest } from '../web/gwar-request';
import { formatTime, Locale, localeFromAcceptLanguage, translator } from '../web/i18n/translator';
import { LivechatSettings, LivechatSettingsService } from './settings.service';

/** The widget speaks the browser's language (a cross-site iframe gets none of Gwar's cookies anyway). */
export function speak(req: GwarRequest, res: Response): Locale {
  const locale = localeFromAcceptLanguage(req.get('Accept-Language'));
  res.locals.locale = locale;
  res.locals.t = translator(locale);
  res.locals.formatTime = (value: Date | string) => formatTime(locale, new Date(value));
  return locale;
}

/** The widget a key names while it is on and in the plan; anything else is a 404. */
export async function liveWidget(settings: LivechatSettingsService, key: string): Promise<LivechatSettings> {
  const found = await settings.live(key);
  if (!found) throw new NotFoundException();
  return found;
}
