import type { CallbackSettings } from './settings.service';

/** A wall-clock time in the company's zone, as "YYYY-MM-DDTHH:MM". */
export function localNow(timeZone: string, at = new Date()): string {
  const text = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return text.replace(' ', 'T');
}

const SLOT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
/** How far ahead a visitor may ask to be called. */
export const SLOT_DAYS = 14;

function isoDay(y: number, m: number, d: number): number {
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 ? 7 : day;
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export type SlotProblem = 'callback.slot.invalid' | 'callback.slot.past' | 'callback.slot.tooFar' | 'callback.slot.outsideHours';

/** "asap" (or nothing) is null; a slot is a local time on a working day within working hours, from now up to two weeks on. */
export function readSlot(
  value: string,
  s: Pick<CallbackSettings, 'timeZone' | 'workDays' | 'workStart' | 'workEnd'>,
  now = new Date(),
): { slot: string | null } | { problem: SlotProblem } {
  const text = value.trim();
  if (!text || text === 'asap') return { slot: null };
  const m = SLOT.exec(text);
  if (!m) return { problem: 'callback.slot.invalid' };
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const check = new Date(Date.UTC(y, mo - 1, d, h, mi));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59)
    return { problem: 'callback.slot.invalid' };
  const current = localNow(s.timeZone, now);
  if (text <= current) return { problem: 'callback.slot.past' };
  if (text.slice(0, 10) > addDays(current.slice(0, 10), SLOT_DAYS)) return { problem: 'callback.slot.tooFar' };
  const time = text.slice(11);
  if (!s.workDays.includes(isoDay(y, mo, d)) || time < s.workStart || time >= s.workEnd) return { problem: 'callback.slot.outsideHours' };
  return { slot: text };
}

/** The slots the widget offers: each working hour of the next working days (up to `limit`), from the next full hour. */
export function nextSlots(s: Pick<CallbackSettings, 'timeZone' | 'workDays' | 'workStart' | 'workEnd'>, limit = 24, now = new Date()): string[] {
  const current = localNow(s.timeZone, now);
  const slots: string[] = [];
  for (let day = 0; day <= SLOT_DAYS && slots.length < limit; day++) {
    const date = addDays(current.slice(0, 10), day);
    const [y, m, d] = date.split('-').map(Number);
    if (!s.workDays.includes(isoDay(y, m, d))) continue;
    for (let hour = 0; hour < 24 && slots.length < limit; hour++) {
      const time = `${String(hour).padStart(2, '0')}:${s.workStart.slice(3)}`;
      const slot = `${date}T${time}`;
      if (time >= s.workStart && time < s.workEnd && slot > current) slots.push(slot);
    }
  }
  return slots;
}
