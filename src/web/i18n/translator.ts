import { en, MessageKey } from './en';
import { pl } from './pl';

export const LOCALES = ['pl', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, pl };

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(en, value);
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export type Translate = (key: MessageKey | string, params?: Record<string, string | number>) => string;

/** A key missing from the catalog shows as the key itself, so a slip is visible instead of blank. */
export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale] as Record<string, string>;
  return (key, params) => {
    const text = catalog[key] ?? key;
    return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
  };
}

/** The best of our languages for an Accept-Language header; English when none fits. */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  const wanted = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { lang: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((entry) => entry.lang && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q);
  return wanted.map((entry) => entry.lang).find(isLocale) ?? 'en';
}

export function catalogKeys(locale: Locale): string[] {
  return Object.keys(catalogs[locale]);
}

// Building an Intl formatter costs far more than using one, and pages format hundreds of dates.
const dateTimeFormats = formatsFor((tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' }));
const timeFormats = formatsFor((tag) => new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit' }));
const moneyFormats = new Map<string, Intl.NumberFormat>();

function formatsFor(make: (tag: string) => Intl.DateTimeFormat): Record<Locale, Intl.DateTimeFormat> {
  return { pl: make('pl-PL'), en: make('en-GB') };
}

const zonedFormats = new Map<string, Intl.DateTimeFormat>();

/** A moment in the reader's language; in the server's time zone, or in the one named (a company's own hours). */
export function formatDateTime(locale: Locale, date: Date | null | undefined, timeZone?: string): string {
  if (!date) return '';
  if (!timeZone) return dateTimeFormats[locale].format(date);
  const key = `${locale}:${timeZone}`;
  let format = zonedFormats.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale === 'pl' ? 'pl-PL' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone });
    } catch {
      return dateTimeFormats[locale].format(date);
    }
    zonedFormats.set(key, format);
  }
  return format.format(date);
}

export function formatMoney(locale: Locale, value: string | number | null | undefined, currency: string): string {
  const n = Number(value ?? 0);
  try {
    const key = `${locale}:${currency}`;
    let format = moneyFormats.get(key);
    if (!format) moneyFormats.set(key, (format = new Intl.NumberFormat(locale === 'pl' ? 'pl-PL' : 'en-GB', { style: 'currency', currency })));
    return format.format(n);
  } catch {
    return `${n.toFixed(2)} ${currency}`;
  }
}

/** Hours and minutes on the server's clock; the page shows them in the reader's own time zone. */
export function formatTime(locale: Locale, date: Date | null | undefined): string {
  if (!date) return '';
  return timeFormats[locale].format(date);
}
