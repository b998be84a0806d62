// "Jump to latest": while the reader is scrolled up, messages arriving below are counted on a button over the
// bottom of the list; it takes them down, and goes away once they are at the bottom by any means.
import { announce } from './announce.js';
import { $ } from './dom.js';

const plurals = new Intl.PluralRules(document.documentElement.lang === 'pl' ? 'pl-PL' : 'en-GB');
const counts = new WeakMap();

const buttonOf = (win) => $('button.jump-latest', win);

function label(button, count) {
  const form = button.dataset[plurals.select(count)] ?? button.dataset.other ?? '{count}';
  return form.replace('{count}', String(count));
}

/** Messages from others arrived while the reader was scrolled up: those below what they see are counted. */
export function newBelow(win, arrived) {
  const button = buttonOf(win);
  const list = $('ol.messages', win);
  if (!button || !list) return;
  const fold = list.scrollTop + list.clientHeight;
  const below = arrived.filter((li) => li.isConnected && li.offsetParent === list && li.offsetTop >= fold).length;
  if (!below) return;
  const count = (counts.get(win) ?? 0) + below;
  counts.set(win, count);
  $('.jump-latest-text', button).textContent = label(button, count);
  // Said once when it appears; each message is read out as it comes anyway (announce.js).
  if (button.hidden) announce(button.dataset.appeared ?? '');
  button.hidden = false;
}

/** The reader reached the bottom. */
export function seenLatest(win) {
  const button = buttonOf(win);
  counts.delete(win);
  if (button && !button.hidden) button.hidden = true;
}

export function jumpToLatest(win) {
  const list = $('ol.messages', win);
  if (!list) return;
  const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  list.scrollTo({ top: list.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
  seenLatest(win);
  // The button goes away under the focus: it lands where one answers.
  $('form[data-composer] textarea[name="body"]', win)?.focus({ preventScroll: true });
}
