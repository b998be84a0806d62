// Messages in a window: where an arriving one goes, how a page marks its own user's messages, and the ticks.
// Every message element comes from the server rendered the same for everyone; this page adds what is its own.
import { $, $$, me, strings } from './dom.js';

const messageId = (li) => Number(li.dataset.messageId) || 0;
const seqOf = (li) => Number(li.dataset.seq) || 0;
const shown = (list) => $$(':scope > li.msg[data-message-id]', list);

/**
 * Puts messages into a window's list in id order: a newer copy replaces the shown one, an older copy is ignored
 * (a late push never undoes a later change), the page's own optimistic row gives way to the stored message, and
 * a message older than the loaded history is left to the page that will bring it. Answers what it put in.
 */
export function place(list, fragment) {
  const added = [];
  const oldest = shown(list)[0];
  const complete = !$(':scope > li.older', list);
  // The fragment's own children: `:scope` does not reach into a DocumentFragment.
  for (const li of [...fragment.children].filter((child) => child.matches('li.msg'))) {
    const existing = document.getElementById(li.id);
    if (existing && !existing.classList.contains('pending')) {
      if (seqOf(existing) >= seqOf(li)) continue;
      existing.replaceWith(li);
    } else {
      if (!existing && !complete && oldest && messageId(li) < messageId(oldest)) continue;
      existing?.remove();
      insertOrdered(list, li);
    }
    added.push(li);
  }
  return added;
}

function insertOrdered(list, li) {
  const id = messageId(li);
  for (let node = list.lastElementChild; node; node = node.previousElementSibling) {
    if (node.matches('li.msg[data-message-id]:not(.pending)') && messageId(node) < id) return node.after(li);
  }
  const older = $(':scope > li.older', list);
  if (older) older.after(li);
  else list.prepend(li);
}

/** The page's own marks: its user's messages are "mine" (editable, deletable), a manager may delete any in a group. */
export function decorate(root = document.body) {
  const items = root.matches?.('li.msg') ? [root] : $$('li.msg[data-message-id]', root);
  for (const li of items) {
    const win = li.closest('section.chat-window');
    const mine = Number(li.dataset.authorId) === me;
    const deleted = li.classList.contains('deleted');
    li.classList.toggle('mine', mine);
    li.classList.toggle('theirs', !mine);
    toggleData(li, 'canEdit', mine && !deleted && !!$('.msg-body[data-editable]', li));
    toggleData(li, 'canDelete', !deleted && (mine || win?.dataset.manages === 'true'));
    const body = $('.msg-body[data-editable]', li);
    if (body && mine) Object.assign(body, { tabIndex: 0, title: strings.clickToEdit ?? '' });
    authorTabStop(li);
    if (win) tick(li, readWatermark(win));
  }
}

/** One's own name, and the name repeated on every message of a group, are there for screen readers only: no tab stop. */
export function authorTabStop(li) {
  const author = $('button.msg-author', li);
  const stop = li.classList.contains('mine') || li.classList.contains('continued') ? -1 : 0;
  if (author && author.tabIndex !== stop) author.tabIndex = stop;
}

function toggleData(li, name, on) {
  if (on) li.dataset[name] = 'true';
  else delete li.dataset[name];
}

// ---------------------------------------------------------------- ticks

/** "slowest:lowest:next" as numbers. */
function decodeWatermark(encoded) {
  const [slowest, lowest, next] = String(encoded ?? '').split(':').map(Number);
  return { slowest: slowest || 0, lowest: lowest || 0, next: next || 0 };
}

const readWatermark = (win) => decodeWatermark(win.dataset.read);
const readUpTo = (w, authorId) => (authorId === w.slowest ? w.next : w.lowest);

/**
 * A newer watermark, from a push, a catch-up or a check. Watermarks only move forward, so whichever copy came
 * last, the furthest one is kept and no tick ever turns grey again.
 */
export function mergeWatermark(win, encoded) {
  const now = readWatermark(win);
  const got = decodeWatermark(encoded);
  if (got.lowest < now.lowest || (got.lowest === now.lowest && got.next <= now.next)) return;
  win.dataset.read = `${got.slowest}:${got.lowest}:${got.next}`;
  for (const li of $$('li.msg.mine[data-message-id]', win)) tick(li, got);
}

function tick(li, w) {
  const receipt = $('.receipt', li);
  if (!receipt || receipt.classList.contains('read')) return;
  if (messageId(li) > readUpTo(w, Number(li.dataset.authorId))) return;
  receipt.classList.replace('sent', 'read');
  const state = $('.receipt-state', receipt);
  if (state) state.textContent = strings.read ?? '';
}
