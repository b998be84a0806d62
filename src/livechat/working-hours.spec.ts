import { hoursValues, isOpen, readHours, validTimeZone } from './working-hours';

describe('Livechat working hours', () => {
  // Wednesday 2 December 2026, 08:30 UTC: 09:30 in Warsaw, 03:30 in New York.
  const at = new Date('2026-12-02T08:30:00Z');
  const weekdays = [null, '09:00-17:00', '09:00-17:00', '09:00-17:00', '09:00-17:00', '09:00-17:00', null];

  it('is always open without hours, and reads the week in the widget’s time zone', () => {
    expect(isOpen(null, 'Europe/Warsaw', at)).toBe(true);
    expect(isOpen(weekdays, 'Europe/Warsaw', at)).toBe(true);
    expect(isOpen(weekdays, 'America/New_York', at)).toBe(false);
    expect(isOpen(weekdays, 'UTC', at)).toBe(false);
  });

  it('takes the start inclusive and the end exclusive, and a closed day as closed', () => {
    const wednesday = (span: string | null) => [null, null, null, span, null, null, null];
    expect(isOpen(wednesday('08:30-09:00'), 'UTC', at)).toBe(true);
    expect(isOpen(wednesday('07:00-08:30'), 'UTC', at)).toBe(false);
    expect(isOpen(wednesday(null), 'UTC', at)).toBe(false);
    // Another day in the zone: 07:30 UTC on Wednesday is 23:30 on Tuesday in Los Angeles.
    const late = new Date('2026-12-02T07:30:00Z');
    expect(isOpen([null, null, '00:00-23:59', null, null, null, null], 'America/Los_Angeles', late)).toBe(true);
    expect(isOpen([null, null, null, '00:00-23:59', null, null, null], 'America/Los_Angeles', late)).toBe(false);
  });

  it('reads the form: both times or neither, the end after the start, nothing when hours are off', () => {
    expect(readHours({ hoursOn: true, from1: '09:00', to1: '17:00' })).toEqual({ hours: [null, '09:00-17:00', null, null, null, null, null], errors: {} });
    expect(readHours({ hoursOn: true, from1: '09:00' }).errors).toEqual({ to1: 'livechat.timeInvalid' });
    expect(readHours({ hoursOn: true, from2: '18:00', to2: '08:00' }).errors).toEqual({ to2: 'livechat.timeOrder' });
    expect(readHours({ hoursOn: true, from3: '25:00', to3: '26:00' }).errors).toEqual({ from3: 'livechat.timeInvalid', to3: 'livechat.timeInvalid' });
    expect(readHours({ hoursOn: false, from2: '18:00', to2: '08:00' })).toEqual({ hours: null, errors: {} });
    expect(hoursValues(null, 'UTC')).toMatchObject({ hoursOn: '', timeZone: 'UTC', from1: '09:00', to5: '17:00', from0: '', to6: '' });
  });

  it('knows a time zone name from a made-up one', () => {
    expect(validTimeZone('Europe/Warsaw')).toBe(true);
    expect(validTimeZone('Mars/Olympus')).toBe(false);
    expect(validTimeZone('')).toBe(false);
  });
});
