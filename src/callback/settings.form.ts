import { z } from 'zod';
import { field } from '../web/form';
import { isCountry } from './phone';
import type { CallbackSettings } from './settings.service';

const whole = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,6}$/, 'callback.numberInvalid')
    .transform(Number)
    .refine((n) => n >= min && n <= max, 'callback.numberInvalid');

const clock = () =>
  z
    .string()
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'callback.timeInvalid');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length <= 64;
  } catch {
    return false;
  }
}

export const WEEK_DAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;

/** Gear → Callback: what the admin sets. Delays are typed in minutes and kept in seconds. */
export const callbackSettingsForm = {
  enabled: field.checkbox(),
  defaultCountry: z
    .string()
    .trim()
    .toUpperCase()
    .refine((c) => isCountry(c), 'callback.countryInvalid'),
  slaMinutes: whole(1, 1440),
  retryMinutes: whole(1, 1440),
  maxAttempts: whole(1, 10),
  claimMinutes: whole(1, 1440),
  timeZone: z
    .string()
    .trim()
    .refine((v) => isTimeZone(v), 'callback.timeZoneInvalid'),
  workDays: field.many(field.choice(WEEK_DAYS)).refine((d) => d.length > 0, 'callback.workDaysRequired'),
  workStart: clock(),
  workEnd: clock(),
  dailyLimit: whole(1, 100000),
  challengeAfter: whole(1, 1000),
};

export function settingsValues(s: CallbackSettings): Record<string, string> {
  return {
    enabled: s.enabled ? 'on' : '',
    defaultCountry: s.defaultCountry,
    slaMinutes: String(s.slaMinutes),
    retryMinutes: String(Math.max(1, Math.round(s.retrySeconds / 60))),
    maxAttempts: String(s.maxAttempts),
    claimMinutes: String(Math.max(1, Math.round(s.claimSeconds / 60))),
    timeZone: s.timeZone,
    workDays: s.workDays.join(','),
    workStart: s.workStart,
    workEnd: s.workEnd,
    dailyLimit: String(s.dailyLimit),
    challengeAfter: String(s.challengeAfter),
  };
}
