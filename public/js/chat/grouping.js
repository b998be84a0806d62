// How a conversation reads: which messages continue their author's group, and where a new day starts. Plain
// functions of the messages' authors and times (no page), so the page and the tests compute the same.

/** A message joins the one above it when the same author wrote it within this long, on the same day. */
export const GROUP_GAP_MS = 5 * 60 * 1000;

const pad = (n) => String(n).padStart(2, '0');

/** The calendar day of a moment in the page's own time zone, as "YYYY-MM-DD". */
export const dayOf = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

/**
 * For messages in the order shown ({ author, at: ms, broken: something else stands above it }), whether each
 * starts a new day and whether it continues the group above it (no name, avatar or time of its own).
 */
export function layout(items, gap = GROUP_GAP_MS) {
  let previous = null;
  return items.map((item) => {
    const day = Number.isFinite(item.at) ? dayOf(new Date(item.at)) : (previous?.day ?? '');
    const newDay = !previous || previous.day !== day;
    const continued = !newDay && !item.broken && !!item.author && previous.author === item.author && Math.abs(item.at - previous.at) <= gap;
    previous = { author: item.author, at: item.at, day };
    return { day, newDay, continued };
  });
}

/** "Today", "Yesterday", or the date written out in the page's language (`format` takes a Date). */
export function dayLabel(day, now, { today, yesterday, format }) {
  if (day === dayOf(now)) return today;
  const before = new Date(now);
  before.setDate(before.getDate() - 1);
  if (day === dayOf(before)) return yesterday;
  const [y, m, d] = day.split('-').map(Number);
  return format(new Date(y, m - 1, d, 12));
}
