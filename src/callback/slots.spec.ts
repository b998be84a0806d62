import { nextSlots, readSlot } from './slots';

const hours = { timeZone: 'Europe/Warsaw', workDays: [1, 2, 3, 4, 5], workStart: '08:00', workEnd: '17:00' };
// Wednesday 2 December 2026, 10:30 in Warsaw (09:30 UTC).
const now = new Date('2026-12-02T09:30:00Z');

describe('callback slots', () => {
  it('takes a working-hour slot ahead, and "asap"', () => {
    expect(readSlot('asap', hours, now)).toEqual({ slot: null });
    expect(readSlot('2026-12-02T11:00', hours, now)).toEqual({ slot: '2026-12-02T11:00' });
    expect(readSlot('2026-12-07T08:00', hours, now)).toEqual({ slot: '2026-12-07T08:00' });
  });

  it('refuses a past slot, one out of hours or on a weekend, one too far ahead, and nonsense', () => {
    expect(readSlot('2026-12-02T10:00', hours, now)).toEqual({ problem: 'callback.slot.past' });
    expect(readSlot('2026-12-02T17:00', hours, now)).toEqual({ problem: 'callback.slot.outsideHours' });
    expect(readSlot('2026-12-05T10:00', hours, now)).toEqual({ problem: 'callback.slot.outsideHours' });
    expect(readSlot('2027-01-20T10:00', hours, now)).toEqual({ problem: 'callback.slot.tooFar' });
    expect(readSlot('2026-02-30T10:00', hours, now)).toEqual({ problem: 'callback.slot.invalid' });
    expect(readSlot('tomorrow', hours, now)).toEqual({ problem: 'callback.slot.invalid' });
  });

  it('offers the next working hours, skipping the weekend', () => {
    const slots = nextSlots(hours, 12, now);
    expect(slots.slice(0, 7)).toEqual([
      '2026-12-02T11:00',
      '2026-12-02T12:00',
      '2026-12-02T13:00',
      '2026-12-02T14:00',
      '2026-12-02T15:00',
      '2026-12-02T16:00',
      '2026-12-03T08:00',
    ]);
    expect(nextSlots(hours, 40, now).some((s) => s.startsWith('2026-12-05') || s.startsWith('2026-12-06'))).toBe(false);
  });
});
