// Desktop notifications (the Notification API). Asked for with a button in the chat settings, never on load. A new
// message pops up when the user is not looking at Gwar, once per message however many tabs are open (one-tab.js).
// Muted conversations and Offline (the server sends nothing) never pop up; the chime, which follows the sound
// setting, is the only sound, so the notification itself is silent.
import { $, $$ } from './dom.js';
import { takeOnce } from './one-tab.js';
import { openConversation } from './windows.js';

const CHOICE = 'gwar:desktop-notifications';
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

/** A new message (the socket's notify packet): a desktop notification, if on, once across the user's tabs. */
export async function notifyDesktop(event) {
  const messageId = Number(event?.messageId);
  if (!messageId || event.muted || !desktopNotificationsOn()) return;
  const { mine, looking } = await takeOnce('notified', messageId);
  if (!mine || looking) return;
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
