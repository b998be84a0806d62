import { Injectable } from '@nestjs/common';
import { formatDateTime, formatTime, Locale, translator } from '../web/i18n/translator';
import { viewEnvironment } from '../web/view-environment';

/** Renders chat partials to strings for socket pushes, with the same templates and helpers as the pages. */
@Injectable()
export class ChatRenderer {
  render(template: string, locale: Locale, context: object): string {
    return viewEnvironment().render(template, {
      t: translator(locale),
      locale,
      formatDateTime: (value: Date | string | null, timeZone?: string) => (value ? formatDateTime(locale, new Date(value), timeZone) : ''),
      formatTime: (value: Date | string) => formatTime(locale, new Date(value)),
      ...context,
    });
  }
}
