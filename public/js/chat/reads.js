// Reads: the page tells the server how far its user has seen each open conversation, over the socket.
import { $, $$, listOf, windowOf } from './dom.js';
import { socket } from './live.js';
import { badgesChanged } from './notify.js';

const timers = new Map();
const sent = new Map();

export function scheduleRead(win) {
  const id = win?.dataset.conversationId;
  if (!id || timers.has(id)) return;
  timers.set(
    id,
    setTimeout(() => flushRead(id), 200),
  );
}

/** Up to the newest message the user can see: the window is on screen, the page has focus, the message is scrolled into view. */
function flushRead(id) {
  clearTimeout(timers.get(id));
  timers.delete(id);
  const win = windowOf(id);
  const list = win && listOf(win);
  if (!list || !socket?.connected || document.visibilityState !== 'visible' || !document.hasFocus() || !onScreen(list)) return;
  const visibleBottom = list.scrollTop + list.clientHeight;
  const seen = $$(':scope > li.msg[data-message-id]', list)
    .filter((li) => li.offsetTop < visibleBottom)
    .pop();
  const upTo = seen ? Number(seen.dataset.messageId) : 0;
  if (!upTo || upTo <= (sent.get(id) || 0)) return;
  sent.set(id, upTo);
  const nothingLeft = !$$(':scope > li.msg[data-message-id]:not(.mine):not(.deleted)', list).some((li) => Number(li.dataset.messageId) > upTo);
  socket.emit('read', { conversationId: Number(id), upTo, cleared: nothingLeft && clearBadge(id) });
}

/**
 * Nothing unread is left in view: the page clears its badge itself, and the server need not push it back.
 * Whether it could (a conversation begun after the panel was drawn has no badge of its own here yet).
 */
function clearBadge(id) {
  const badge = $(`li.entry[data-conversation-id="${id}"] .badge[id^="unread-"]`);
  if (!badge) return false;
  if (badge.classList.contains('empty')) return true;
  badge.classList.add('empty');
  badge.dataset.count = '0';
  badge.replaceChildren();
  badgesChanged();
  return true;
}

/** A reconnected socket may have lost reads in flight: they are sent again. */
export function forgetReads() {
  sent.clear();
}

/** Not scrolled off the page, not behind another window (maximized windows share one place). */
function onScreen(elt) {
  const box = elt.getBoundingClientRect();
  const left = Math.max(box.left, 0);
  const right = Math.min(box.right, window.innerWidth);
  const top = Math.max(box.top, 0);
  const bottom = Math.min(box.bottom, window.innerHeight);
  if (right <= left || bottom <= top) return false;
  return elt.contains(document.elementFromPoint((left + right) / 2, (top + bottom) / 2));
}
