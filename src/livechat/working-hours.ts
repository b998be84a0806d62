import { z } from 'zod';
import type { FieldErrors, FormValues } from '../web/form';

/** Sunday first, as Date#getDay() and Intl count them. */
export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;
/** The order the settings form lists them in: Monday first. */
export const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;

/** Each weekday's "HH:MM-HH:MM" in the widget's time zone, or null when closed that day; null as a whole is always open. */
export type WorkingHours = (string | null)[] | null;

export const DEFAULT_TIME_ZONE = 'Europe/Warsaw';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length > 0 && zone.length <= 64;
  } catch {
    return false;
  }
}

/** The weekday and the minute of the day it is now in a time zone. */
function localNow(zone: string, now: Date): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(part('weekday'));
  return { day, minute: Number(part('hour')) * 60 + Number(part('minute')) };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Within the working hours now (from inclusive, to exclusive); a widget without hours is always open. */
export function isOpen(hours: WorkingHours, zone: string, now = new Date()): boolean {
  if (!hours) return true;
  const { day, minute } = localNow(zone, now);
  const span = hours[day];
  if (!span) return false;
  const [from, to] = span.split('-');
  return minute >= minutes(from) && minute < minutes(to);
}

/** The settings form's working-hours fields, read apart from the rest: each day's two times are checked together. */
export const hoursFields: Record<string, z.ZodType<unknown, string>> = {
  hoursOn: z.string().transform((v) => v === 'on'),
  // Left empty (or a form from before working hours): the default zone.
  timeZone: z
    .string()
    .trim()
    .transform((v) => v || DEFAULT_TIME_ZONE)
    .refine(validTimeZone, 'livechat.timeZoneInvalid'),
};
for (const d of WEEKDAYS) for (const name of [`from${d}`, `to${d}`]) hoursFields[name] = z.string().trim().max(5, 'livechat.timeInvalid');

/**
 * The week from the form: each day both times or neither (closed), "from" before "to". With hours off the week is
 * null (always open), whatever the day fields say.
 */
export function readHours(data: Record<string, unknown>): { hours: WorkingHours; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const week: (string | null)[] = [];
  for (const d of WEEKDAYS) {
    const from = String(data[`from${d}`] ?? '');
    const to = String(data[`to${d}`] ?? '');
    if (!from && !to) {
      week.push(null);
      continue;
    }
    if (!TIME.test(from)) errors[`from${d}`] = 'livechat.timeInvalid';
    if (!TIME.test(to)) errors[`to${d}`] = 'livechat.timeInvalid';
    if (TIME.test(from) && TIME.test(to) && minutes(from) >= minutes(to)) errors[`to${d}`] = 'livechat.timeOrder';
    week.push(`${from}-${to}`);
  }
  if (!data.hoursOn) return { hours: null, errors: {} };
  return { hours: week, errors };
}

/** The settings form's values for a week (an always-open widget shows Monday to Friday 9–17 to start from). */
export function hoursValues(hours: WorkingHours, zone: string): FormValues {
  const week = hours ?? [null, '09:00-17:00', '09:00-17:00', '09:00-17:00', '09:00-17:00', '09:00-17:00', null];
  const values: FormValues = { hoursOn: hours ? 'on' : '', timeZone: zone };
  for (const d of WEEKDAYS) {
    const [from, to] = (week[d] ?? '-').split('-');
    values[`from${d}`] = from;
    values[`to${d}`] = to;
  }
  return values;
}
