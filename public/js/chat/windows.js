// Chat windows: opened from the panel, brought forward, made small or maximized, moved and resized, closed, and
// remembered on the server so they come back on the next page.
import { $, $$, ajax, clamp, listOf, make, panelData, strings, windowOf, windows } from './dom.js';

const MIN_WIDTH = 280;
const MIN_HEIGHT = 240;
const ready = new WeakSet();
/** Windows put back by the page itself (the first draw, a reload), which must not take the focus. */
const quietly = new Set();
let booted = false;

export const floatingWindows = () => $$('#chat-windows > section.chat-window');

htmx.registerExtension('gwar-windows', {
  handle_swap(style, target, fragment) {
    if (style !== 'chat-window') return false;
    const fresh = $('section.chat-window', fragment);
    if (!fresh || !target.isConnected) return true;
    // Keep what the user had: size, place, draft and messages still being sent.
    fresh.className = target.className;
    fresh.setAttribute('style', target.getAttribute('style') || '');
    Object.assign(fresh.dataset, { x: target.dataset.x ?? '', y: target.dataset.y ?? '' });
    const draft = $('textarea[name="body"]', target)?.value;
    if (draft) $('textarea[name="body"]', fresh).value = draft;
    for (const li of $$('li.msg.pending', target)) if (!fresh.querySelector(`#${CSS.escape(li.id)}`)) listOf(fresh).append(li);
    quietly.add(fresh.dataset.conversationId);
    target.replaceWith(fresh);
    return [fresh];
  },
});

export function initWindow(win, onReady) {
  if (ready.has(win)) return;
  ready.add(win);
  const id = win.dataset.conversationId;
  if (win.classList.contains('floating')) {
    if (!win.classList.contains('small')) win.classList.add('maximized');
    if (win.style.left) {
      win.classList.add('moved');
      win.dataset.x = String(parseInt(win.style.left, 10));
      win.dataset.y = String(parseInt(win.style.top, 10));
    }
    for (const edge of ['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw']) {
      win.append(make('div', { className: `resize-handle resize-${edge}`, attrs: { 'data-edge': edge, 'aria-hidden': 'true' } }));
    }
  }
  const list = listOf(win);
  const divider = $('li.new-divider', list);
  if (divider) list.scrollTop = divider.offsetTop - 8;
  else list.scrollTop = list.scrollHeight;
  // Opened by the user, in a window or in the main panel: the focus goes to its message box.
  if (booted && !quietly.has(id)) {
    if (win.classList.contains('floating')) {
      bringToFront(win);
      saveOpenWindows();
    }
    $('textarea[name="body"]', win)?.focus({ preventScroll: true });
  }
  quietly.delete(id);
  onReady?.(win);
}

/** The windows already on the page when it loads are not opened by the user: they take no focus. */
export function boot() {
  for (const win of windows()) quietly.add(win.dataset.conversationId);
  // A conversation opened as a whole page is not shown twice: its window, if left open, waits for the next page.
  for (const win of $$('#main section.chat-window')) $(`#chat-windows > #${CSS.escape(win.id)}`)?.remove();
}

export function booting(done) {
  booted = done;
}

export function focusWindow(win) {
  if (win.classList.contains('floating')) bringToFront(win);
  win.scrollIntoView?.({ block: 'nearest' });
  $('textarea[name="body"]', win)?.focus();
}

export function bringToFront(win) {
  for (const other of floatingWindows()) other.classList.toggle('front', other === win);
}

export function closeWindow(win) {
  if (!win) return;
  const floating = win.classList.contains('floating');
  const hadFocus = win.contains(document.activeElement);
  win.remove();
  if (floating) saveOpenWindows();
  // Never left on <body>: back to the conversation's entry in the panel, else the window in front, else the page.
  if (hadFocus) {
    const entry = win.dataset.entry && $(`#entry-${CSS.escape(win.dataset.entry)} a`);
    const front = $('#chat-windows > section.front') ?? floatingWindows()[0];
    (entry || (front && $('textarea[name="body"]', front)) || document.getElementById('main'))?.focus();
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
  const small = !win.classList.contains('small');
  const button = $('[data-action="toggle-size"]', win);
  const label = small ? strings.maximize : strings.smallWindow;
  if (button && label) Object.assign(button, { title: label }).setAttribute('aria-label', label);
  win.classList.toggle('small', small);
  win.classList.toggle('maximized', !small);
  win.classList.toggle('moved', small && !!win.dataset.x);
  win.removeAttribute('style');
  if (small) {
    const data = panelData();
    win.style.width = `${Number(data.windowWidth) || 420}px`;
    win.style.height = `${Number(data.windowHeight) || 520}px`;
    if (win.dataset.x) placeAt(win, Number(win.dataset.x), Number(win.dataset.y));
  }
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
  if (fresh && !fresh.classList.contains('small')) toggleSize(fresh);
}

function placeAt(win, x, y) {
  win.style.left = `${Math.round(x)}px`;
  win.style.top = `${Math.round(y)}px`;
}

let saveTimer;
export function saveOpenWindows() {
  if (panelData().openIn === 'main') return;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    const open = floatingWindows().map((w) => ({
      conversationId: Number(w.dataset.conversationId),
      maximized: !w.classList.contains('small'),
      ...(w.dataset.x ? { x: Number(w.dataset.x), y: Number(w.dataset.y) } : {}),
    }));
    saveSettings({ openWindows: JSON.stringify(open) });
  }, 150);
}

/** One save at a time, so that a later list of windows can never be overtaken by an earlier one. */
let settingsSaving = Promise.resolve();
export function saveSettings(fields) {
  settingsSaving = settingsSaving.then(() => ajax('POST', '/chat/settings', { values: { ...fields, quiet: 'true' }, swap: 'none' }));
}

function saveWindowSize(win) {
  const width = String(Math.round(win.getBoundingClientRect().width));
  const height = String(Math.round(win.getBoundingClientRect().height));
  const panel = document.getElementById('chat-panel');
  if (panel) Object.assign(panel.dataset, { windowWidth: width, windowHeight: height });
  saveSettings({ windowWidth: width, windowHeight: height });
}

/** Moving (by the bar) and resizing (by an edge) a small window, with pointer events. */
export function startPointerGesture(event) {
  if (event.button !== 0) return;
  const handle = event.target.closest('.resize-handle');
  const bar = !handle && event.target.closest('[data-drag-handle]');
  if (!handle && (!bar || event.target.closest('button, a, summary, details, input, textarea'))) return;
  const win = (handle || bar).closest('section.chat-window.floating.small');
  if (!win) return;
  event.preventDefault();
  const start = win.getBoundingClientRect();
  win.classList.add('moved');
  placeAt(win, start.left, start.top);
  bringToFront(win);
  const grip = handle || bar;
  grip.setPointerCapture(event.pointerId);
  win.classList.add(handle ? 'resizing' : 'dragging');
  const edge = handle?.dataset.edge ?? '';
  const move = (e) => {
    const dx = e.clientX - event.clientX;
    const dy = e.clientY - event.clientY;
    if (!handle) return placeAt(win, clamp(start.left + dx, 0, window.innerWidth - start.width), clamp(start.top + dy, 0, window.innerHeight - 40));
    let { left, top, width, height } = start;
    if (edge.includes('e')) width = clamp(start.width + dx, MIN_WIDTH, window.innerWidth - start.left);
    if (edge.includes('s')) height = clamp(start.height + dy, MIN_HEIGHT, window.innerHeight - start.top);
    if (edge.includes('w')) {
      width = clamp(start.width - dx, MIN_WIDTH, start.right);
      left = start.right - width;
    }
    if (edge.includes('n')) {
      height = clamp(start.height - dy, MIN_HEIGHT, start.bottom);
      top = start.bottom - height;
    }
    placeAt(win, left, top);
    win.style.width = `${Math.round(width)}px`;
    win.style.height = `${Math.round(height)}px`;
  };
  const end = () => {
    grip.removeEventListener('pointermove', move);
    grip.removeEventListener('pointerup', end);
    grip.removeEventListener('pointercancel', end);
    win.classList.remove('resizing', 'dragging');
    win.dataset.x = String(parseInt(win.style.left, 10));
    win.dataset.y = String(parseInt(win.style.top, 10));
    if (handle) saveWindowSize(win);
    saveOpenWindows();
  };
  grip.addEventListener('pointermove', move);
  grip.addEventListener('pointerup', end);
  grip.addEventListener('pointercancel', end);
}
