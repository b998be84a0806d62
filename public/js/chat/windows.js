// Chat windows as Firmao and Messenger have them. Small windows dock at the bottom right, side by side and never
// over each other; those that do not fit wait in a "+N" list. Maximized windows are the chat column between the
// page and the panel (#chat-dock), as tabs when there are several, so they never cover the page's work. On a
// phone one conversation at a time fills the screen. Which windows are open, and how, is kept on the server.
import { $, $$, ajax, clamp, listOf, make, panelData, strings, windowOf, windows } from './dom.js';

const MIN_WIDTH = 280;
const MIN_HEIGHT = 240;
const GAP = 12;
const STEP = 20;
export const phone = matchMedia('(max-width: 800px)');
const ready = new WeakSet();
/** Windows put back by the page itself (the first draw, a reload), which must not take the focus. */
const quietly = new Set();
let booted = false;

const bar = () => document.getElementById('chat-windows');
const dock = () => document.getElementById('chat-dock');
/** Small windows, first the one at the right. */
export const docked = () => $$('#chat-windows > section.chat-window');
/** Maximized windows, in the order of their tabs. */
export const tabbed = () => $$('#chat-dock > section.chat-window');
export const floatingWindows = () => [...tabbed(), ...docked()];
const titleOf = (win) => $('.win-title', win)?.textContent.trim() ?? '';
const isSmall = (win) => win.classList.contains('small');
/** Shown on screen: not display:none nor visibility:hidden (the phone's closed drawer), so it can take the focus. */
const seen = (el) => !!el && el.checkVisibility?.({ visibilityProperty: true }) !== false;

htmx.registerExtension('gwar-windows', {
  handle_swap(style, target, fragment) {
    if (style !== 'chat-window') return false;
    const fresh = $('section.chat-window', fragment);
    if (!fresh || !target.isConnected) return true;
    // Keep what the user had: size, place, draft and messages still being sent.
    fresh.className = target.className;
    fresh.setAttribute('style', target.getAttribute('style') || '');
    const draft = $('textarea[name="body"]', target)?.value;
    if (draft) $('textarea[name="body"]', fresh).value = draft;
    for (const li of $$('li.msg.pending', target)) if (!fresh.querySelector(`#${CSS.escape(li.id)}`)) listOf(fresh).append(li);
    quietly.add(fresh.dataset.conversationId);
    target.replaceWith(fresh);
    return [fresh];
  },
});

/** Moves a window where its size says it belongs (the dock column or the bottom bar), keeping its scroll. */
function place(win, { first = false } = {}) {
  const home = isSmall(win) ? bar() : dock();
  if (!home || win.parentElement === home) return;
  const list = listOf(win);
  const scroll = list?.scrollTop ?? 0;
  if (first) home.prepend(win);
  else home.append(win);
  if (list) list.scrollTop = scroll;
}

export function initWindow(win, onReady) {
  if (ready.has(win)) return;
  ready.add(win);
  const id = win.dataset.conversationId;
  if (win.classList.contains('floating')) {
    win.classList.toggle('maximized', !isSmall(win));
    win.append(make('button', { type: 'button', className: 'resize-grip', title: strings.resizeWindow ?? '', attrs: { 'aria-label': strings.resizeWindow ?? '', 'data-resize': '' } }));
    place(win, { first: isSmall(win) && booted });
  }
  const opened = booted && !quietly.has(id);
  // Shown before it is scrolled: a tab behind another has no height to scroll.
  if (opened && win.classList.contains('floating')) bringToFront(win);
  arrange();
  scrollToStart(win);
  // Opened by the user, in a window or in the main panel: the focus goes to its message box.
  if (opened) {
    if (win.classList.contains('floating')) saveOpenWindows();
    $('textarea[name="body"]', win)?.focus({ preventScroll: true });
  }
  quietly.delete(id);
  onReady?.(win);
}

/** At the first unread message, else at the newest; a window not shown yet (a tab behind, a phone's) when it shows. */
function scrollToStart(win) {
  if (!seen(win)) return void (win.dataset.unscrolled = 'true');
  delete win.dataset.unscrolled;
  const list = listOf(win);
  if (!list) return;
  const divider = $('li.new-divider', list);
  if (divider) list.scrollTop = divider.offsetTop - 8;
  else list.scrollTop = list.scrollHeight;
}

/**
 * The windows the user left open come from a <template>: without JavaScript they are never drawn (so they cannot
 * cover a page's Send button), and the page they open on does not take the focus.
 */
export function boot() {
  const remembered = document.getElementById('chat-remembered');
  const home = bar();
  if (remembered && home) {
    for (const win of $$('section.chat-window', remembered.content)) {
      // A conversation opened as a whole page is not shown twice: its window, if left open, waits for the next page.
      if (!document.getElementById(win.id)) home.append(win);
    }
    remembered.remove();
    htmx.process(home);
  }
  for (const win of windows()) quietly.add(win.dataset.conversationId);
  // On a phone a page opens as itself: the open conversations wait until one is chosen from the panel.
  if (phone.matches) for (const win of floatingWindows()) win.classList.remove('front');
  phone.addEventListener('change', () => arrange());
  window.addEventListener('resize', () => arrange());
}

export function booting(done) {
  booted = done;
  arrange();
}

export function focusWindow(win) {
  if (win.classList.contains('floating')) bringToFront(win);
  win.scrollIntoView?.({ block: 'nearest' });
  $('textarea[name="body"]', win)?.focus();
}

/** Shows a window: its tab in the dock, its place at the right of the bar (out of the "+N" list), or the phone's screen. */
export function bringToFront(win) {
  if (!win?.classList.contains('floating')) return;
  win.dataset.chosen = 'true';
  if (phone.matches) {
    for (const other of floatingWindows()) other.classList.toggle('front', other === win);
  } else if (win.parentElement === dock()) {
    if (!win.classList.contains('front')) {
      for (const other of tabbed()) other.classList.toggle('front', other === win);
      saveOpenWindows();
    }
  } else if (win.classList.contains('overflowed')) {
    bar().prepend(win);
    saveOpenWindows();
  }
  arrange();
  if (win.dataset.unscrolled) scrollToStart(win);
}

export function closeWindow(win) {
  if (!win) return;
  const floating = win.classList.contains('floating');
  const hadFocus = win.contains(document.activeElement);
  win.remove();
  if (floating) {
    arrange();
    saveOpenWindows();
  }
  // Never left on <body>: back to the conversation's entry in the panel, else a window still shown, else the page.
  if (hadFocus) {
    const entry = win.dataset.entry && $(`#entry-${CSS.escape(win.dataset.entry)} a`);
    const shown = floatingWindows().find((w) => seen(w) && !w.classList.contains('overflowed'));
    const drawer = document.getElementById('drawer-button');
    const next = [entry, shown && $('textarea[name="body"]', shown), drawer, document.getElementById('main')].find(seen);
    next?.focus();
  }
}

/** A phone's back arrow: the window steps aside (it stays open), or the page goes back to where the user was. */
export function goBack(win, event) {
  if (win?.classList.contains('floating')) {
    event.preventDefault();
    win.classList.remove('front');
    arrange();
    const entry = win.dataset.entry && $(`#entry-${CSS.escape(win.dataset.entry)} a`);
    const drawer = document.getElementById('drawer-button');
    [entry, drawer, document.getElementById('main')].find(seen)?.focus();
    return;
  }
  const cameFromHere = document.referrer && new URL(document.referrer).origin === location.origin;
  if (cameFromHere && location.pathname.startsWith('/chat/') && history.length > 1) {
    event.preventDefault();
    history.back();
  } else if (!location.pathname.startsWith('/chat/')) {
    // The main panel over another page (opened through htmx): that page comes back.
    event.preventDefault();
    htmx.ajax('GET', location.pathname + location.search, { target: '#main', swap: 'innerHTML', select: '#main > *' }).catch(() => undefined);
  }
}

/** Draws a window afresh from the server (it missed more than a catch-up carries), keeping what the user had. */
export function reloadWindow(win) {
  const inMain = win.classList.contains('in-main');
  return ajax('GET', `/chat/conversations/${win.dataset.conversationId}${inMain ? '?mode=main' : ''}`, { source: win, target: win, swap: 'chat-window' });
}

export function openConversation(conversationId) {
  const existing = windowOf(conversationId);
  const inMain = panelData().openIn === 'main';
  if (existing && !inMain) return Promise.resolve(focusWindow(existing));
  return htmx.ajax('GET', `/chat/conversations/${conversationId}${inMain ? '?mode=main' : ''}`, {
    target: inMain ? '#main' : '#chat-windows',
    swap: inMain ? 'innerHTML' : 'beforeend',
  });
}

export function toggleSize(win) {
  if (win.classList.contains('in-main')) return toSmallWindow(win);
  const small = !isSmall(win);
  const button = $('[data-action="toggle-size"]', win);
  const label = small ? strings.maximize : strings.smallWindow;
  if (button && label) Object.assign(button, { title: label }).setAttribute('aria-label', label);
  win.classList.toggle('small', small);
  win.classList.toggle('maximized', !small);
  win.classList.remove('overflowed');
  win.removeAttribute('style');
  if (small) {
    const data = panelData();
    win.style.width = `${Number(data.windowWidth) || 420}px`;
    win.style.height = `${Number(data.windowHeight) || 520}px`;
  }
  const focused = win.contains(document.activeElement) ? document.activeElement : null;
  place(win, { first: true });
  bringToFront(win);
  focused?.focus({ preventScroll: true });
  const list = listOf(win);
  list.scrollTop = list.scrollHeight;
  saveOpenWindows();
}

/** From the main panel to a small window; the main panel shows again the page it was opened over. */
async function toSmallWindow(win) {
  const id = win.dataset.conversationId;
  const path = location.pathname.startsWith('/chat/') ? '/' : location.pathname + location.search;
  win.remove();
  await htmx.ajax('GET', path, { target: '#main', swap: 'innerHTML', select: '#main > *' }).catch(() => undefined);
  if (path === '/' && location.pathname !== '/') history.pushState(null, '', '/');
  await htmx.ajax('GET', `/chat/conversations/${id}`, { target: '#chat-windows', swap: 'beforeend' }).catch(() => undefined);
  const fresh = windowOf(id);
  if (fresh && !isSmall(fresh)) toggleSize(fresh);
}

/**
 * Lays the windows out: one tab of the dock in front (the tablist only with two or more), as many small windows as
 * fit at the bottom (never over a form of the page, when there is room beside it), the rest in the "+N" list; the
 * page gets room at its bottom so nothing it holds stays under the small windows.
 */
export function arrange() {
  const tabs = tabbed();
  // The page's own windows are all in place before one is chosen for the front (the one the user left there).
  const fronts = tabs.filter((w) => w.classList.contains('front'));
  for (const extra of fronts.slice(0, -1)) extra.classList.remove('front');
  if (booted && !phone.matches && tabs.length && !fronts.length) tabs[0].classList.add('front');
  drawTabs(tabs);
  const home = bar();
  if (!home) return;
  const small = docked();
  const hidden = [];
  if (phone.matches) {
    for (const win of small) win.classList.remove('overflowed');
  } else {
    const box = home.getBoundingClientRect();
    const form = $('#main form.form, #main form.crm-form');
    const formBox = form?.getBoundingClientRect();
    const clearOfForm = formBox && formBox.width ? Math.max(box.left, formBox.right + GAP) : box.left;
    // Beside the form if one fits there. Where none does, only a window the user opened or chose on this page
    // shows (over the form, as asked); the ones the page brought back wait in the "+N" list.
    const widest = Math.max(0, ...small.map(widthOf));
    const besideForm = box.right - clearOfForm >= widest;
    const crowded = !besideForm && clearOfForm > box.left;
    const left = besideForm ? clearOfForm : box.left;
    const room = box.right - left;
    let used = 0;
    small.forEach((win, i) => {
      const width = widthOf(win);
      const more = i < small.length - 1 ? GAP + 56 : 0;
      const fits = !hidden.length && (!crowded || win.dataset.chosen === 'true') && (i === 0 || used + GAP + width + more <= room);
      win.classList.toggle('overflowed', !fits);
      if (fits) used += (i ? GAP : 0) + width;
      else hidden.push(win);
    });
  }
  drawMore(home, hidden);
  const shown = small.filter((w) => !w.classList.contains('overflowed'));
  const tallest = phone.matches ? 0 : Math.max(0, ...shown.map((w) => w.getBoundingClientRect().height));
  document.documentElement.style.setProperty('--dock-clearance', `${Math.ceil(tallest)}px`);
}

function widthOf(win) {
  return parseFloat(win.style.width) || win.getBoundingClientRect().width || Number(panelData().windowWidth) || 420;
}

/** The dock's tabs: one per maximized window, in order; arrow keys move between them (see onDockTabKey). */
function drawTabs(tabs) {
  const column = dock();
  if (!column) return;
  let list = $(':scope > .dock-tabs', column);
  if (tabs.length < 2 || phone.matches) return list?.remove();
  if (!list) {
    list = make('div', { className: 'dock-tabs', attrs: { role: 'tablist', 'aria-label': strings.windowTabs ?? '' } });
    column.prepend(list);
  }
  const focusedTab = list.contains(document.activeElement) ? document.activeElement.dataset.window : null;
  list.replaceChildren(
    ...tabs.map((win) => {
      const selected = win.classList.contains('front');
      const unread = $(`#entry-${CSS.escape(win.dataset.entry ?? '')} .badge:not(.empty)`);
      return make('button', {
        type: 'button',
        id: `dock-tab-${win.dataset.conversationId}`,
        className: 'dock-tab',
        tabIndex: selected ? 0 : -1,
        title: titleOf(win),
        attrs: { role: 'tab', 'aria-selected': String(selected), 'aria-controls': win.id, 'data-window': win.id },
      }, [make('span', { className: 'dock-tab-name', textContent: titleOf(win) }), ...(unread ? [make('span', { className: 'dock-tab-dot', attrs: { 'aria-hidden': 'true' } })] : [])]);
    }),
  );
  if (focusedTab) document.getElementById(`dock-tab-${focusedTab.replace('win-', '')}`)?.focus();
}

export function onDockTabKey(event) {
  const tabs = $$('[role="tab"]', event.target.closest('.dock-tabs'));
  const at = tabs.indexOf(event.target);
  const next = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (next === undefined) return false;
  event.preventDefault();
  const tab = tabs[(next + tabs.length) % tabs.length];
  const win = document.getElementById(tab.dataset.window);
  if (win) bringToFront(win);
  document.getElementById(tab.id)?.focus();
  return true;
}

export function selectDockTab(tab) {
  const win = document.getElementById(tab.dataset.window);
  if (!win) return;
  bringToFront(win);
  document.getElementById(tab.id)?.focus();
}

/** The "+N" button at the left of the small windows: a menu of the ones that did not fit. */
function drawMore(home, hidden) {
  let more = document.getElementById('chat-more');
  if (!hidden.length) return more?.remove();
  if (!more) {
    more = make('div', { id: 'chat-more', className: 'chat-more' }, [
      make('button', { type: 'button', id: 'chat-more-button', className: 'chat-more-button', attrs: { 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': 'chat-more-menu' } }),
      make('div', { id: 'chat-more-menu', className: 'chat-more-menu', hidden: true, attrs: { role: 'menu', 'aria-labelledby': 'chat-more-button' } }),
    ]);
  }
  if (more.parentElement !== home || home.lastElementChild !== more) home.append(more);
  const button = $('#chat-more-button', more);
  const label = (strings.moreWindows ?? '{count}').replace('{count}', String(hidden.length));
  button.textContent = `+${hidden.length}`;
  button.setAttribute('aria-label', label);
  button.title = label;
  $('#chat-more-menu', more).replaceChildren(
    ...hidden.map((win) => make('button', { type: 'button', textContent: titleOf(win), attrs: { role: 'menuitem', 'data-swap-in': win.id } })),
  );
}

export function toggleMore(open) {
  const button = document.getElementById('chat-more-button');
  const menu = document.getElementById('chat-more-menu');
  if (!button || !menu) return;
  const show = open ?? menu.hidden;
  menu.hidden = !show;
  button.setAttribute('aria-expanded', String(show));
  if (show) $('[role="menuitem"]', menu)?.focus();
}

/** A window chosen from the "+N" list takes the place at the right; the one that no longer fits goes to the list. */
export function swapIn(item) {
  const win = document.getElementById(item.dataset.swapIn);
  toggleMore(false);
  if (win) focusWindow(win);
}

export function onMoreKey(event) {
  const menu = document.getElementById('chat-more-menu');
  const items = $$('[role="menuitem"]', menu);
  const at = items.indexOf(document.activeElement);
  const go = (i) => items[(i + items.length) % items.length]?.focus();
  if (event.key === 'ArrowDown') go(at + 1);
  else if (event.key === 'ArrowUp') go(at - 1);
  else if (event.key === 'Home') go(0);
  else if (event.key === 'End') go(items.length - 1);
  else if (event.key === 'Escape') {
    toggleMore(false);
    document.getElementById('chat-more-button')?.focus();
  } else if (event.key === 'Tab') return toggleMore(false);
  else return;
  event.preventDefault();
  event.stopPropagation();
}

/** Alt+Shift+Left / Right: the previous or next chat that is shown (each tab of the dock, then the small windows). */
export function cycleWindows(step) {
  const all = [...tabbed(), ...docked().filter((w) => !w.classList.contains('overflowed'))];
  if (!all.length) return false;
  const current = all.findIndex((w) => w.contains(document.activeElement));
  const next = all[(current + step + all.length) % all.length] ?? all[0];
  focusWindow(current === -1 ? all[step > 0 ? 0 : all.length - 1] : next);
  return true;
}

let saveTimer;
export function saveOpenWindows() {
  if (panelData().openIn === 'main') return;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    const open = floatingWindows().map((w) => ({
      conversationId: Number(w.dataset.conversationId),
      maximized: !isSmall(w),
      ...(!isSmall(w) && w.classList.contains('front') ? { front: true } : {}),
    }));
    saveSettings({ openWindows: JSON.stringify(open) });
  }, 150);
}

/** One save at a time, so that a later list of windows can never be overtaken by an earlier one. */
let settingsSaving = Promise.resolve();
export function saveSettings(fields) {
  settingsSaving = settingsSaving.then(() => ajax('POST', '/chat/settings', { values: { ...fields, quiet: 'true' }, swap: 'none' }));
}

let sizeTimer;
function saveWindowSize(win) {
  const width = String(Math.round(win.getBoundingClientRect().width));
  const height = String(Math.round(win.getBoundingClientRect().height));
  const panel = document.getElementById('chat-panel');
  if (panel) Object.assign(panel.dataset, { windowWidth: width, windowHeight: height });
  clearTimeout(sizeTimer);
  sizeTimer = setTimeout(() => saveSettings({ windowWidth: width, windowHeight: height }), 300);
}

function resizeTo(win, width, height) {
  const home = bar()?.getBoundingClientRect();
  win.style.width = `${Math.round(clamp(width, MIN_WIDTH, home ? home.width : window.innerWidth))}px`;
  win.style.height = `${Math.round(clamp(height, MIN_HEIGHT, window.innerHeight - 8))}px`;
}

/**
 * The grip at a small window's top left corner: dragged, or with the arrow keys, it resizes the window (the
 * window is docked at its bottom right, so it grows up and to the left); Shift with Left or Right moves the
 * window one place along the dock. Docked windows do not float freely: they would cover each other and the page.
 */
export function onGripKey(event) {
  const win = event.target.closest('section.chat-window.small');
  if (!win) return false;
  const { width, height } = win.getBoundingClientRect();
  if (event.shiftKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
    const all = docked();
    const at = all.indexOf(win);
    // The bar runs right to left: "left" is the next window in its order.
    const to = clamp(at + (event.key === 'ArrowLeft' ? 1 : -1), 0, all.length - 1);
    if (to !== at) {
      if (to > at) all[to].after(win);
      else all[to].before(win);
      event.target.focus();
      arrange();
      saveOpenWindows();
    }
  } else if (event.key === 'ArrowLeft') resizeTo(win, width + STEP, height);
  else if (event.key === 'ArrowRight') resizeTo(win, width - STEP, height);
  else if (event.key === 'ArrowUp') resizeTo(win, width, height + STEP);
  else if (event.key === 'ArrowDown') resizeTo(win, width, height - STEP);
  else return false;
  event.preventDefault();
  if (!event.shiftKey) {
    arrange();
    saveWindowSize(win);
  }
  return true;
}

/** Resizing a small window by its grip, with pointer events. */
export function startPointerGesture(event) {
  if (event.button !== 0) return;
  const grip = event.target.closest?.('.resize-grip');
  const win = grip?.closest('section.chat-window.floating.small');
  if (!win) return;
  event.preventDefault();
  const start = win.getBoundingClientRect();
  grip.setPointerCapture(event.pointerId);
  win.classList.add('resizing');
  const move = (e) => resizeTo(win, start.width - (e.clientX - event.clientX), start.height - (e.clientY - event.clientY));
  const end = () => {
    grip.removeEventListener('pointermove', move);
    grip.removeEventListener('pointerup', end);
    grip.removeEventListener('pointercancel', end);
    win.classList.remove('resizing');
    arrange();
    saveWindowSize(win);
  };
  grip.addEventListener('pointermove', move);
  grip.addEventListener('pointerup', end);
  grip.addEventListener('pointercancel', end);
}
