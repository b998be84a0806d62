// Desktop notifications (the Notification API). Asked for with a button in the chat settings, never on load. A new
// message pops up when the user is not looking at Gwar, once per message however many tabs are open: under a Web
// Lock the first tab to record the message's id in localStorage shows it (where Web Locks are missing, outside a
// secure context, each tab waits a random moment first, which makes a double show unlikely, not impossible). Muted conversations and Offline (the server sends nothing)
// never pop up; the chime, which follows the sound setting, is the only sound, so the notification itself is silent.
import { $, $$ } from './dom.js';
import { openConversation } from './windows.js';

const CHOICE = 'gwar:desktop-notifications';
const SHOWN = 'gwar:notified';
const supported = typeof window.Notification === 'function';

function choice() {
  try {
    return localStorage.getItem(CHOICE);
  } catch {
    return null;
  }
}

function remember(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* private mode: the choice lasts as long as the page */
  }
}

export const desktopNotificationsOn = () => supported && Notification.permission === 'granted' && choice() !== 'off';

/** The gear's item says what a click will do; it exists only where the browser can notify. */
export function initDesktopNotifications(root = document) {
  for (const item of $$('[data-desktop-notifications]', root)) {
    if (!supported) continue;
    item.hidden = false;
    const blocked = Notification.permission === 'denied';
    item.textContent = blocked ? item.dataset.blockedLabel : desktopNotificationsOn() ? item.dataset.offLabel : item.dataset.onLabel;
    item.toggleAttribute('aria-disabled', blocked);
  }
}

export async function toggleDesktopNotifications(item) {
  if (!supported || Notification.permission === 'denied') return;
  if (desktopNotificationsOn()) remember(CHOICE, 'off');
  else {
    const answer = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
    if (answer === 'granted') remember(CHOICE, 'on');
  }
  initDesktopNotifications();
  const gear = item.closest('details');
  if (gear) {
    gear.open = false;
    $('summary', gear)?.focus();
  }
}

/** Runs `claim` in one tab at a time across the user's tabs. */
async function oneTabAtATime(claim) {
  if (navigator.locks?.request) return navigator.locks.request('gwar-notify', claim);
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 200));
  return claim();
}

/** Whether this tab is the first of the user's tabs to claim the message (and records that it did). */
function claimed(messageId) {
  let shown = [];
  try {
    shown = JSON.parse(localStorage.getItem(SHOWN) ?? '[]');
  } catch {
    shown = [];
  }
  if (!Array.isArray(shown)) shown = [];
  if (shown.includes(messageId)) return false;
  shown.push(messageId);
  remember(SHOWN, JSON.stringify(shown.slice(-100)));
  return true;
}

const watching = () => document.visibilityState === 'visible' && document.hasFocus();

/** A new message (the socket's notify packet): a desktop notification, if on, once across the user's tabs. */
export async function notifyDesktop(event) {
  const messageId = Number(event?.messageId);
  if (!messageId || event.muted || !desktopNotificationsOn()) return;
  // A tab the user is looking at claims the message first, so that no other tab pops it up.
  if (!watching()) await new Promise((resolve) => setTimeout(resolve, 250));
  const show = await oneTabAtATime(() => claimed(messageId) && !watching());
  if (!show) return;
  const entry = String(event.entry ?? '');
  const conversation = $(`#entry-${CSS.escape(entry)} .entry-name`)?.textContent.trim() ?? '';
  const author = String(event.authorName ?? '');
  const item = $('[data-desktop-notifications]');
  const title = entry.startsWith('c') && conversation ? (item?.dataset.inLabel ?? '{name}').replace('{name}', author).replace('{conversation}', conversation) : author;
  const notification = new Notification(title || document.title, { body: String(event.preview ?? ''), tag: `gwar-message-${messageId}`, silent: true });
  notification.onclick = () => {
    window.focus();
    notification.close();
    openConversation(event.conversationId);
  };
}
