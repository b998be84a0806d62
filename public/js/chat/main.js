// The chat's browser side, wired by delegation so HTML swapped in later just works. Each concern is a module:
// live (socket, ordered changes), messages, windows, composer, reads, menus, emoji, notify, panel, uploads.
import '/assets/details-menu.js';
import { announceElsewhere } from './announce.js';
import { $, $$, windowOf, windows } from './dom.js';
import { cancelReply, retry, startReply, submit } from './composer.js';
import { chooseEmoji, closePicker, onPickerKey, togglePicker } from './emoji.js';
import { atBottom, check, offer, onMessagesChanged, reconcile, socket, swapShell } from './live.js';
import { decorate } from './messages.js';
import { closeMenu, inMenu, menuOpen, onDetailsMenuKey, onMenuKey, openMenu, runMenu, startEdit } from './menus.js';
import { badgesChanged, notify, unlockAudio, updateTitle } from './notify.js';
import { bumpEntry, initTabs, onTabKey, refreshPanel, selectTab, showNotifications } from './panel.js';
import { jumpToLatest, newBelow, seenLatest } from './latest.js';
import { jumpTo } from './quotes.js';
import { forgetReads, scheduleRead } from './reads.js';
import { regroup, regroupAll } from './timeline.js';
import './uploads.js';
import {
  arrange,
  boot,
  booting,
  bringToFront,
  closeWindow,
  cycleWindows,
  focusWindow,
  goBack,
  initWindow,
  onDockTabKey,
  onGripKey,
  onMoreKey,
  openConversation,
  reloadWindow,
  selectDockTab,
  startPointerGesture,
  swapIn,
  toggleMore,
  toggleSize,
} from './windows.js';
import { initDesktopNotifications, notifyDesktop, toggleDesktopNotifications } from './desktop-notifications.js';

const lang = document.documentElement.lang === 'pl' ? 'pl-PL' : 'en-GB';
const shortTime = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
const fullTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });

function localizeTimes(root) {
  const times = root.matches?.('time[datetime]') ? [root] : $$('time[datetime]', root);
  for (const time of times) {
    if (time.closest('.day-separator')) continue;
    const date = new Date(time.dateTime);
    if (Number.isNaN(date.getTime())) continue;
    time.textContent = time.closest('.msg') ? shortTime.format(date) : fullTime.format(date);
    time.title = fullTime.format(date);
  }
}

function scrollToBottom(list) {
  if (list) list.scrollTop = list.scrollHeight;
}

onMessagesChanged((win, follow, arrived) => {
  if (follow) scrollToBottom($('ol.messages', win));
  else newBelow(win, arrived);
  scheduleRead(win);
});

if (socket) {
  // A new message: the message itself (for its window, if shown), the badge, and the chime.
  socket.on('notify', (event) => {
    if (typeof event?.message === 'string') offer(event.conversationId, Number(event.seq), event.message);
    if (typeof event?.html === 'string') swapShell(event.html).then(badgesChanged);
    notify(event || {});
    notifyDesktop(event);
    const entry = typeof event?.entry === 'string' ? event.entry : '';
    // An open window reads the message out itself when it lands there.
    if (!windowOf(event?.conversationId)) announceElsewhere(String(event?.authorName ?? ''), entry === 'help' ? $('.help-entry a') : document.getElementById(`entry-${entry}`));
    bumpEntry(entry);
  });
  socket.on('html', (html) => {
    if (typeof html === 'string') swapShell(html).then(badgesChanged);
  });
  socket.on('refresh', (event = {}) => {
    if (event.closeConversationId) closeWindow(document.getElementById(`win-${event.closeConversationId}`));
    if (event.panel) refreshPanel();
    if (event.resync) check();
  });
}

document.addEventListener('chat:reconnected', () => {
  forgetReads();
  refreshPanel();
  // The support team's view of a Help conversation catches up with what came while the socket was away.
  for (const log of $$('[data-help-log]')) htmx.ajax('GET', log.dataset.helpLog, { target: log, swap: 'outerHTML' });
});
document.addEventListener('chat:reload', (event) => event.target.matches?.('section.chat-window') && reloadWindow(event.target));
document.addEventListener('chat:gone', (event) => event.target.matches?.('section.chat-window') && closeWindow(event.target));

document.addEventListener(
  'submit',
  (event) => {
    const form = event.target.closest?.('form[data-composer]');
    // Ours, not the browser's: the message shows at once and goes over the socket, in the order typed.
    if (form && submit(form)) {
      event.preventDefault();
      event.stopPropagation();
    }
  },
  true,
);

document.addEventListener('keydown', (event) => {
  const target = event.target;
  if (menuOpen() && inMenu(target)) return onMenuKey(event);
  const gearMenu = target.closest?.('details[open] > details-menu');
  if (gearMenu) return onDetailsMenuKey(event, gearMenu);
  if (target.closest?.('#chat-more-menu')) return onMoreKey(event);
  if (target.closest?.('.dock-tabs') && onDockTabKey(event)) return;
  if (target.matches?.('.resize-grip') && onGripKey(event)) return;
  // Alt+Shift+Left / Right: the previous or next chat, from anywhere on the page.
  if (event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
    if (cycleWindows(event.key === 'ArrowRight' ? 1 : -1)) event.preventDefault();
    return;
  }
  if (target.closest?.('.emoji-picker')) return onPickerKey(event);
  if (target.matches?.('form[data-composer] textarea[name="body"]') && event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    target.form.requestSubmit();
  } else if (target.matches?.('li.mine .msg-body[data-editable]') && event.key === 'Enter') {
    event.preventDefault();
    startEdit(target.closest('li.msg'));
  } else if (target.matches?.('[role="tab"]') && ['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) {
    onTabKey(event);
  } else if (event.key === 'Escape' && $$('.receipt:hover, .receipt:focus').length) {
    // A "read by" tooltip goes away with Esc (WCAG 1.4.13) until the pointer or the focus leaves its tick.
    for (const receipt of $$('.receipt:hover, .receipt:focus')) receipt.classList.add('dismissed');
  } else if (event.key === 'Escape') {
    const open = target.closest?.('details[open]');
    const win = target.closest?.('section.chat-window.floating');
    const form = target.closest?.('form[data-composer]');
    if (open) {
      open.open = false;
      $('summary', open)?.focus();
    } else if (form && !$('.reply-preview', form).hidden) {
      // Esc first drops a reply being written, then closes the window.
      cancelReply(form);
    } else if (win && !event.defaultPrevented && !$('#chat-dialog[open]')) {
      event.preventDefault();
      closeWindow(win);
    }
  }
});

document.addEventListener('click', (event) => {
  const target = event.target;
  if (!(target instanceof Element)) return;
  const menuItem = target.closest('#chat-menu [data-menu]');
  if (menuItem) return runMenu(menuItem);
  const choice = target.closest('.emoji-picker .emoji');
  if (choice) return chooseEmoji(choice);
  for (const picker of $$('.emoji-picker:not([hidden])')) if (!picker.contains(target) && !target.closest('[data-action="emoji"]')) closePicker(picker, false);
  for (const details of $$('details[open]')) if (!details.contains(target)) details.open = false;
  if (!target.closest('#chat-more')) toggleMore(false);
  const swap = target.closest('#chat-more-menu [data-swap-in]');
  if (swap) return swapIn(swap);
  if (target.closest('#chat-more-button')) return toggleMore();
  const dockTab = target.closest('.dock-tabs [role="tab"]');
  if (dockTab) return selectDockTab(dockTab);
  if (target.closest('[data-desktop-notifications]')) return toggleDesktopNotifications(target.closest('[data-desktop-notifications]'));

  const action = target.closest('[data-action]');
  const li = target.closest('li.msg');
  const win = target.closest('section.chat-window');
  switch (action?.dataset.action) {
    case 'toggle-size':
      return toggleSize(win);
    case 'close':
      return closeWindow(win);
    case 'back':
      return goBack(win, event);
    case 'reply':
      return li && startReply(li);
    case 'menu': {
      const box = action.getBoundingClientRect();
      return li && openMenu(li, box.left, box.bottom + 2, action);
    }
    case 'emoji':
      return togglePicker(action);
    case 'cancel-reply':
      cancelReply(action.closest('form'));
      return action.closest('form').elements.body.focus();
    case 'retry':
      return li && retry(li);
    case 'jump-latest':
      return win && jumpToLatest(win);
  }
  const quote = target.closest('a.msg-quote[data-jump]');
  if (quote) {
    event.preventDefault();
    return jumpTo(quote);
  }
  const editable = target.closest('li.mine .msg-body[data-editable]');
  if (editable && !target.closest('a') && !String(window.getSelection?.() ?? '')) return startEdit(editable.closest('li.msg'));
  const tab = target.closest('[role="tab"]');
  if (tab?.closest('.panel-tabs')) return selectTab(tab);
  const skip = target.closest('a[data-skip-to]');
  if (skip) {
    event.preventDefault();
    return document.getElementById(skip.dataset.skipTo)?.focus();
  }
  const bell = target.closest('a[data-show-notifications]');
  if (bell) {
    event.preventDefault();
    return showNotifications(bell);
  }
  const opener = target.closest('[data-open-dialog]');
  if (opener) {
    // The dialog gives the focus back to what opened it: the gear, when it was one of its items.
    const details = opener.closest('details');
    dialogOpener = details ? $('summary', details) : opener;
    details?.removeAttribute('open');
  }
});

document.addEventListener('focusout', (event) => {
  const picker = event.target.closest?.('.emoji-picker:not([hidden])');
  // The emoji picker closes when Tab (or a click) takes the focus out of it.
  if (picker && !picker.contains(event.relatedTarget) && !event.relatedTarget?.closest?.('[data-action="emoji"]')) closePicker(picker, false);
  const receipt = event.target.closest?.('.receipt.dismissed');
  if (receipt) receipt.classList.remove('dismissed');
});
document.addEventListener('mouseout', (event) => {
  const receipt = event.target.closest?.('.receipt.dismissed');
  if (receipt && !receipt.contains(event.relatedTarget)) receipt.classList.remove('dismissed');
});

document.addEventListener('contextmenu', (event) => {
  if (event.shiftKey || !(event.target instanceof Element)) return;
  const li = event.target.closest('li.msg');
  if (!li || !li.dataset.messageId || li.classList.contains('deleted') || li.classList.contains('pending')) return;
  event.preventDefault();
  const returnTo = event.target.closest('button, a, textarea, [tabindex]') || $('[data-action="menu"]', li);
  openMenu(li, event.clientX, event.clientY, returnTo);
});

document.addEventListener('pointerdown', (event) => {
  unlockAudio();
  // A touch has no hover: the message touched shows its reply and ⋮ buttons, until another is touched.
  if (event.pointerType === 'touch') {
    const touched = event.target.closest?.('li.msg');
    for (const li of $$('li.msg.touched')) if (li !== touched) li.classList.remove('touched');
    touched?.classList.add('touched');
  }
  if (menuOpen() && !inMenu(event.target)) closeMenu(false);
  const win = event.target.closest?.('section.chat-window.floating');
  if (win) bringToFront(win);
  startPointerGesture(event);
});
document.addEventListener('keydown', unlockAudio, { once: true });

document.addEventListener('focusin', (event) => {
  const win = event.target.closest?.('section.chat-window');
  if (win) scheduleRead(win);
  if (menuOpen() && !inMenu(event.target)) closeMenu(false);
});

document.addEventListener(
  'scroll',
  (event) => {
    if (!(event.target instanceof Element) || !event.target.matches('ol.messages')) return;
    const win = event.target.closest('section.chat-window');
    scheduleRead(win);
    if (win && atBottom(event.target)) seenLatest(win);
  },
  true,
);

const readAll = () => windows().forEach(scheduleRead);
window.addEventListener('focus', readAll);
window.addEventListener('focus', regroupAll);
document.addEventListener('visibilitychange', readAll);
window.addEventListener('resize', () => closeMenu(false));

document.addEventListener('htmx:before:request', (event) => {
  const id = event.detail?.ctx?.sourceElement?.dataset?.openConversation;
  const open = id ? document.getElementById(`win-${id}`) : null;
  // A conversation already in a window is brought forward rather than opened twice.
  if (open?.classList.contains('floating') && document.getElementById('chat-panel')?.dataset.openIn !== 'main') {
    event.preventDefault();
    focusWindow(open);
  }
});

const olderLoads = new WeakMap();
document.addEventListener('htmx:before:swap', (event) => {
  const ctx = event.detail?.ctx;
  for (const task of event.detail?.tasks ?? []) {
    const win = task.fragment?.querySelector?.('section.chat-window');
    const open = win && document.getElementById(win.id);
    if (open && task.target?.id === 'chat-windows') {
      event.preventDefault();
      return focusWindow(open);
    }
  }
  const list = ctx?.target?.closest?.('li.older')?.closest('ol.messages');
  // Older messages go on top without moving what the user is reading.
  if (list) olderLoads.set(ctx, { list, fromBottom: list.scrollHeight - list.scrollTop });
});

const dialog = document.getElementById('chat-dialog');
let dialogOpener = null;
document.addEventListener('htmx:after:swap', (event) => {
  const ctx = event.detail?.ctx;
  const older = ctx && olderLoads.get(ctx);
  if (older) older.list.scrollTop = older.list.scrollHeight - older.fromBottom;
  const body = document.getElementById('chat-dialog-body');
  if (dialog && body && ctx?.target instanceof Element && body.contains(ctx.target) && body.childElementCount && !dialog.open) dialog.showModal();
  badgesChanged();
  initDesktopNotifications();
  const mute = ctx?.target?.id ? document.getElementById(ctx.target.id) : null;
  if (mute?.matches('form.mute-form')) {
    // The window shows it is muted; the menu closes, the focus back on its gear.
    const win = mute.closest('section.chat-window');
    win?.toggleAttribute('data-muted', mute.dataset.muted === 'true');
    const gear = mute.closest('details');
    if (gear) {
      gear.open = false;
      $('summary', gear)?.focus();
    }
  }
  arrange();
});
dialog?.addEventListener('close', () => {
  $('#chat-dialog-body')?.replaceChildren();
  if (dialogOpener?.isConnected && dialogOpener.checkVisibility?.() !== false) dialogOpener.focus();
  else if (document.activeElement === document.body) document.getElementById('main')?.focus();
  dialogOpener = null;
});

document.addEventListener('chat:open', (event) => {
  if (dialog?.open) dialog.close();
  const id = event.detail?.conversationId;
  if (id) openConversation(id);
});

new MutationObserver((records) => {
  const lists = new Set();
  for (const record of records) {
    if (record.target.matches?.('ol.messages')) lists.add(record.target);
    for (const node of record.addedNodes) {
      if (node.nodeType !== 1) continue;
      localizeTimes(node);
      for (const list of node.matches('ol.messages') ? [node] : $$('ol.messages', node)) lists.add(list);
    }
  }
  // Its own separators change the list again; the second pass finds nothing to do.
  for (const list of lists) if (list.isConnected) regroup(list);
  for (const win of windows()) initWindow(win, scheduleRead);
  reconcile();
}).observe(document.body, { childList: true, subtree: true });

boot();
// htmx may have processed the page before this module ran: the page's own messages are marked here once.
decorate(document.body);
localizeTimes(document.body);
regroupAll();
for (const win of windows()) initWindow(win, scheduleRead);
reconcile();
booting(true);
initTabs(document);
updateTitle();
initDesktopNotifications();
