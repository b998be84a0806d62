import { dayLabel, dayOf, GROUP_GAP_MS, layout } from '../support/grouping';

const at = (text: string) => new Date(text).getTime();
const minute = 60_000;

describe('how a conversation reads: groups and days', () => {
  it('groups one author’s messages written within five minutes of each other, and starts a group for someone else', () => {
    const t = at('2026-03-02T10:00:00');
    const shown = layout([
      { author: 'u1', at: t },
      { author: 'u1', at: t + 2 * minute },
      { author: 'u1', at: t + 2 * minute + GROUP_GAP_MS + 1000 },
      { author: 'u1', at: t + 8 * minute },
      { author: 'u2', at: t + 9 * minute },
      { author: 'u1', at: t + 9 * minute },
    ]);
    expect(shown.map((s) => s.continued)).toEqual([false, true, false, true, false, false]);
  });

  it('never joins a member’s message to an integration’s, nor messages without an author', () => {
    const t = at('2026-03-02T10:00:00');
    const shown = layout([
      { author: 'u1', at: t },
      { author: 'i1', at: t },
      { author: 'i1', at: t },
      { author: 'i2', at: t },
      { author: '', at: t },
      { author: '', at: t },
    ]);
    expect(shown.map((s) => s.continued)).toEqual([false, false, true, false, false, false]);
  });

  it('starts a new group after anything else that stands between two messages (the “new messages” line)', () => {
    const t = at('2026-03-02T10:00:00');
    expect(
      layout([
        { author: 'u1', at: t },
        { author: 'u1', at: t, broken: true },
      ]).map((s) => s.continued),
    ).toEqual([false, false]);
  });

  it('starts a new day, and a new group, at midnight in the page’s time zone, even a minute apart', () => {
    const shown = layout([
      { author: 'u1', at: at('2026-03-01T23:59:30') },
      { author: 'u1', at: at('2026-03-02T00:00:10') },
      { author: 'u1', at: at('2026-03-02T00:01:10') },
    ]);
    expect(shown).toEqual([
      { day: '2026-03-01', newDay: true, continued: false },
      { day: '2026-03-02', newDay: true, continued: false },
      { day: '2026-03-02', newDay: false, continued: true },
    ]);
  });

  it('keeps a message with an unreadable time on the day above it rather than breaking the conversation', () => {
    const shown = layout([
      { author: 'u1', at: at('2026-03-02T10:00:00') },
      { author: 'u1', at: NaN },
    ]);
    expect(shown[1]).toEqual({ day: '2026-03-02', newDay: false, continued: false });
  });

  it('names today and yesterday, and writes out other days', () => {
    const now = new Date(2026, 2, 2, 0, 5);
    const words = { today: 'Today', yesterday: 'Yesterday', format: (d: Date) => `on ${dayOf(d)}` };
    expect(dayLabel('2026-03-02', now, words)).toBe('Today');
    expect(dayLabel('2026-03-01', now, words)).toBe('Yesterday');
    expect(dayLabel('2026-02-28', now, words)).toBe('on 2026-02-28');
    expect(dayLabel('2025-03-02', now, words)).toBe('on 2025-03-02');
  });
});
