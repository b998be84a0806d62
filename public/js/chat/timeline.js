// A conversation as people read it: a run of one author's messages under one name and avatar, and a heading
// where a new day starts. Messages come from the server the same for everyone and do not know their neighbours,
// so the page works it out here, after anything changes a list: the first page, a push, a catch-up, a deletion,
// older history loaded above. Without JavaScript every message simply shows its own name and time.
import { $$ } from './dom.js';
import { dayLabel, layout } from './grouping.js';
import { authorTabStop } from './messages.js';

const lang = document.documentElement.lang === 'pl' ? 'pl-PL' : 'en-GB';
const thisYear = new Intl.DateTimeFormat(lang, { weekday: 'long', day: 'numeric', month: 'long' });
const otherYear = new Intl.DateTimeFormat(lang, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
const capital = (text) => text.charAt(0).toLocaleUpperCase(lang) + text.slice(1);

function words(list, now) {
  return {
    today: list.dataset.today || capital(relative.format(0, 'day')),
    yesterday: list.dataset.yesterday || capital(relative.format(-1, 'day')),
    format: (date) => (date.getFullYear() === now.getFullYear() ? thisYear : otherYear).format(date),
  };
}

/** Marks each message of a list as starting or continuing its group, and puts one day heading above each day. */
export function regroup(list) {
  const rows = [];
  let broken = false;
  for (const child of list.children) {
    if (child.matches('li.msg')) {
      rows.push({ li: child, author: child.dataset.authorKey ?? '', at: Date.parse(child.dataset.createdAt ?? ''), broken });
      broken = false;
    } else if (!child.matches('li.day-separator')) broken = true;
  }
  const now = new Date();
  const said = words(list, now);
  const kept = new Set();
  layout(rows).forEach(({ day, newDay, continued }, i) => {
    const { li } = rows[i];
    if (li.classList.contains('continued') !== continued) li.classList.toggle('continued', continued);
    authorTabStop(li);
    if (!newDay || !day) return;
    // Above the message, and above the "new messages" line right before it.
    const anchor = li.previousElementSibling?.matches('li.new-divider') ? li.previousElementSibling : li;
    let separator = anchor.previousElementSibling;
    if (!separator?.matches('li.day-separator') || separator.dataset.day !== day) {
      separator = makeSeparator(list, day);
      anchor.before(separator);
    }
    const label = separator.querySelector('time');
    const text = dayLabel(day, now, said);
    if (label.textContent !== text) label.textContent = text;
    kept.add(separator);
  });
  for (const separator of $$(':scope > li.day-separator', list)) if (!kept.has(separator)) separator.remove();
}

function makeSeparator(list, day) {
  // One level under the conversation's own heading: a page's h1, a window's h2.
  const level = list.closest('section.chat-window')?.querySelector('.win-title')?.tagName === 'H1' ? 'h2' : 'h3';
  const li = document.createElement('li');
  li.className = 'day-separator';
  li.dataset.day = day;
  const heading = document.createElement(level);
  const time = document.createElement('time');
  time.dateTime = day;
  heading.append(time);
  li.append(heading);
  return li;
}

/** Every message list in or around a node that was added or changed. */
export function regroupWithin(node) {
  if (!(node instanceof Element)) return;
  const lists = node.matches('ol.messages') ? [node] : node.closest?.('ol.messages') ? [node.closest('ol.messages')] : $$('ol.messages', node);
  for (const list of lists) regroup(list);
}

/** After midnight "Today" becomes "Yesterday": the headings are said again when the page comes back. */
export const regroupAll = () => $$('ol.messages').forEach(regroup);
