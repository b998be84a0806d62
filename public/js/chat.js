// Browser glue for the chat: applies pushed HTML, keeps windows, composer, menus and reads in step with the server.
// Plain ES2020 without a build step; everything is wired by delegation, so HTML swapped in later just works.
(() => {
  'use strict';

  const stringsElt = document.getElementById('chat-strings');
  if (!stringsElt || typeof window.htmx === 'undefined') return;

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
  const strings = stringsElt.dataset;
  const lang = document.documentElement.lang === 'pl' ? 'pl-PL' : 'en-GB';
  const MIN_WIDTH = 280;
  const MIN_HEIGHT = 240;

  // ---------------------------------------------------------------- server calls

  function csrfToken() {
    try {
      const headers = JSON.parse(document.body.getAttribute('hx-headers:inherited') || '{}');
      if (headers['X-CSRF-Token']) return headers['X-CSRF-Token'];
    } catch {
      // fall back to a form field
    }
    return $('input[name="_csrf"]')?.value ?? '';
  }

  function request(method, url, data) {
    const headers = { 'HX-Request': 'true', Accept: 'text/html' };
    let body;
    if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
    if (data) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(data);
    }
    return fetch(url, { method, headers, body, credentials: 'same-origin' });
  }

  /** An element with properties, attributes (`attrs`) and children. */
  function make(tag, { attrs = {}, ...props } = {}, children = []) {
    const node = Object.assign(document.createElement(tag), props);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  }

  function parse(html) {
    const template = document.createElement('template');
    template.innerHTML = html;
    return template.content;
  }

  /** Out-of-band pieces, partials and the like go through htmx so they behave as in any htmx response. */
  function swapThroughHtmx(text) {
    return text.trim() ? htmx.swap({ text, target: document.body, swap: 'none', sourceElement: document.body }) : Promise.resolve();
  }

  // ---------------------------------------------------------------- applying pushed and fetched HTML

  async function apply(html) {
    if (!html.includes('data-chat-messages')) {
      await swapThroughHtmx(html);
    } else {
      const fragment = parse(html);
      for (const wrapper of $$('[data-chat-messages]', fragment)) {
        applyMessages(wrapper);
        wrapper.remove();
      }
      const rest = document.createElement('div');
      rest.append(fragment);
      await swapThroughHtmx(rest.innerHTML);
    }
    if (html.includes('id="unread-') && !html.includes('id="unread-total"')) recountUnread();
    updateTitle();
  }

  function applyMessages(wrapper) {
    const list = document.getElementById(`msgs-${wrapper.dataset.chatMessages}`);
    if (!list) return;
    const win = list.closest('.chat-window');
    const follow = isAtBottom(list);
    for (const li of [...wrapper.children]) placeMessage(list, li);
    bumpSeq(win, wrapper.dataset.seq);
    if (follow) scrollToBottom(list);
    scheduleRead(win);
  }

  const messageId = (li) => Number(li.dataset.messageId) || 0;
  const shownMessages = (list) => $$(':scope > li.msg[data-message-id]', list);

  /** Replaces the message if shown, else inserts it in id order (pushes may overtake each other). */
  function placeMessage(list, li) {
    if (!li.matches('li.msg')) return;
    const id = messageId(li);
    const existing = document.getElementById(li.id);
    if (existing && !existing.classList.contains('pending')) {
      existing.replaceWith(li);
    } else {
      const oldest = shownMessages(list)[0];
      // An edit of a message older than the loaded history: it will come with its page.
      if (!existing && oldest && id < messageId(oldest)) return;
      existing?.remove();
      insertOrdered(list, li, id);
      pending.delete(li.id);
    }
    htmx.process(li);
    bumpSeq(list.closest('.chat-window'), li.dataset.seq);
  }

  function insertOrdered(list, li, id) {
    for (let node = list.lastElementChild; node; node = node.previousElementSibling) {
      if (node.matches('li.msg[data-message-id]:not(.pending)') && messageId(node) < id) return node.after(li);
    }
    const older = $(':scope > li.older', list);
    if (older) older.after(li);
    else list.prepend(li);
  }

  function bumpSeq(win, seq) {
    const n = Number(seq);
    if (win && n > (Number(win.dataset.seq) || 0)) win.dataset.seq = String(n);
  }

  /** Everything changed since the window's sequence; 409 means too much: the window is rendered afresh. */
  async function catchUp(win) {
    const id = win.dataset.conversationId;
    try {
      const res = await request('GET', `/chat/conversations/${id}/changes?since=${Number(win.dataset.seq) || 0}`);
      if (res.status === 409) return reloadWindow(win);
      if (res.status === 404 || res.status === 403) return closeWindow(win);
      if (res.ok) apply(await res.text());
    } catch {
      // offline again: the next connect catches up
    }
  }

  async function reloadWindow(win) {
    const inMain = win.classList.contains('in-main');
    const res = await request('GET', `/chat/conversations/${win.dataset.conversationId}${inMain ? '?mode=main' : ''}`);
    if (!res.ok || !win.isConnected) return;
    const fresh = parse(await res.text()).querySelector('section.chat-window');
    if (!fresh) return;
    // Keep what the user had: size, place, draft and messages still being sent.
    fresh.className = win.className;
    fresh.setAttribute('style', win.getAttribute('style') || '');
    Object.assign(fresh.dataset, { x: win.dataset.x ?? '', y: win.dataset.y ?? '' });
    const draft = $('textarea[name="body"]', win)?.value;
    if (draft) $('textarea[name="body"]', fresh).value = draft;
    const list = $('ol.messages', fresh);
    for (const li of $$('li.msg.pending', win)) if (!fresh.querySelector(`#${CSS.escape(li.id)}`)) list.append(li);
    win.replaceWith(fresh);
    readSent.delete(fresh.dataset.conversationId);
    htmx.process(fresh);
  }

  async function refreshPanel() {
    if (!document.getElementById('chat-panel')) return;
    const res = await request('GET', '/chat/panel');
    if (!res.ok) return;
    const fresh = parse(await res.text()).querySelector('#chat-panel');
    const target = document.getElementById('chat-panel');
    if (!fresh || !target) return;
    const selectedTab = $('[role="tab"][aria-selected="true"]', target)?.id;
    target.replaceWith(fresh);
    htmx.process(fresh);
    if (selectedTab && document.getElementById(selectedTab)) selectTab(document.getElementById(selectedTab), false);
    initTabs(fresh);
    updateTitle();
  }

  // ---------------------------------------------------------------- the socket

  const socket = typeof window.io === 'function' ? window.io({ auth: { locale: document.documentElement.lang } }) : null;
  const joined = new Set();
  let connectedBefore = false;

  function join(win) {
    const id = win.dataset.conversationId;
    if (!socket?.connected || joined.has(id)) return;
    joined.add(id);
    // Joining after the window was rendered leaves a gap, closed by a catch-up once the room is ours.
    socket.emit('conversation:join', Number(id), (ok) => {
      const current = document.getElementById(`win-${id}`);
      if (ok && current) catchUp(current);
    });
  }

  if (socket) {
    socket.on('connect', () => {
      document.documentElement.dataset.chatSocket = 'connected';
      joined.clear();
      windows().forEach(join);
      if (connectedBefore) refreshPanel();
      connectedBefore = true;
    });
    socket.on('disconnect', () => {
      document.documentElement.dataset.chatSocket = 'disconnected';
      joined.clear();
    });
    socket.on('html', (html) => {
      if (typeof html === 'string') apply(html);
    });
    socket.on('notify', (event) => {
      if (typeof event?.html === 'string') apply(event.html);
      notify(event || {});
    });
    socket.on('refresh', (event = {}) => {
      if (event.closeConversationId) closeWindow(document.getElementById(`win-${event.closeConversationId}`));
      if (event.panel) refreshPanel();
      if (event.resync) windows().forEach(catchUp);
    });
  }

  // ---------------------------------------------------------------- windows

  const windows = () => $$('section.chat-window[data-conversation-id]');
  const floatingWindows = () => $$('#chat-windows > section.chat-window');
  const panelData = () => document.getElementById('chat-panel')?.dataset ?? {};
  const ready = new WeakSet();
  let booted = false;
  /** Windows put back by the page itself (a reload, a catch-up), which must not grab the focus. */
  const quietly = new Set();

  function initWindow(win) {
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
    const list = $('ol.messages', win);
    const divider = $('li.new-divider', list);
    if (divider) list.scrollTop = divider.offsetTop - 8;
    else scrollToBottom(list);
    if (booted && !quietly.has(id) && win.classList.contains('floating')) {
      bringToFront(win);
      $('textarea[name="body"]', win)?.focus({ preventScroll: true });
      saveOpenWindows();
    }
    quietly.delete(id);
    scheduleRead(win);
  }

  /** Joins the rooms of windows that appeared and leaves those of windows that are gone. */
  function reconcileWindows() {
    const present = new Set();
    for (const win of windows()) {
      present.add(win.dataset.conversationId);
      initWindow(win);
      join(win);
    }
    for (const id of [...joined]) {
      if (present.has(id)) continue;
      joined.delete(id);
      socket?.emit('conversation:leave', Number(id));
    }
  }

  function focusWindow(win) {
    if (win.classList.contains('floating')) bringToFront(win);
    win.scrollIntoView?.({ block: 'nearest' });
    $('textarea[name="body"]', win)?.focus();
    scheduleRead(win);
  }

  function bringToFront(win) {
    for (const other of floatingWindows()) other.classList.toggle('front', other === win);
  }

  function closeWindow(win) {
    if (!win) return;
    const floating = win.classList.contains('floating');
    win.remove();
    if (floating) saveOpenWindows();
  }

  function openConversation(conversationId) {
    const existing = document.getElementById(`win-${conversationId}`);
    const inMain = panelData().openIn === 'main';
    if (existing && !inMain) {
      quietly.add(String(conversationId));
      return reloadWindow(existing).then(() => focusWindow(document.getElementById(`win-${conversationId}`) || existing));
    }
    return htmx.ajax('GET', `/chat/conversations/${conversationId}${inMain ? '?mode=main' : ''}`, {
      target: inMain ? '#main' : '#chat-windows',
      swap: inMain ? 'innerHTML' : 'beforeend',
    });
  }

  function toggleSize(win) {
    const small = !win.classList.contains('small');
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
    scrollToBottom($('ol.messages', win));
    saveOpenWindows();
  }

  function placeAt(win, x, y) {
    win.style.left = `${Math.round(x)}px`;
    win.style.top = `${Math.round(y)}px`;
  }

  let saveTimer;
  function saveOpenWindows() {
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

  /** Moving (by the bar) and resizing (by an edge) a small window, with pointer events. */
  function startPointerGesture(event) {
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
      if (!handle) {
        const x = clamp(start.left + dx, 0, window.innerWidth - start.width);
        const y = clamp(start.top + dy, 0, window.innerHeight - 40);
        return placeAt(win, x, y);
      }
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

  function saveWindowSize(win) {
    const width = String(Math.round(win.getBoundingClientRect().width));
    const height = String(Math.round(win.getBoundingClientRect().height));
    const panel = document.getElementById('chat-panel');
    if (panel) Object.assign(panel.dataset, { windowWidth: width, windowHeight: height });
    saveSettings({ windowWidth: width, windowHeight: height });
  }

  /** One save at a time, so that a later list of windows can never be overtaken by an earlier one. */
  let settingsSaving = Promise.resolve();
  function saveSettings(fields) {
    settingsSaving = settingsSaving.then(() => request('POST', '/chat/settings', { ...fields, quiet: 'true' })).catch(() => undefined);
  }

  const clamp = (n, min, max) => Math.max(min, Math.min(Math.max(min, max), n));

  // ---------------------------------------------------------------- composer

  /** Messages shown before the server has them, by element id, kept for a retry with the same client id. */
  const pending = new Map();

  async function submitComposer(form) {
    const textarea = form.elements.body;
    const body = textarea.value;
    if (!body.trim()) return;
    const win = form.closest('.chat-window');
    const message = {
      conversationId: win.dataset.conversationId,
      clientId: form.elements.clientId.value,
      replyTo: form.elements.replyTo.value,
      body,
    };
    const li = make('li', { id: `m-${message.clientId}`, className: 'msg mine pending', attrs: { 'data-conversation': message.conversationId } }, [
      make('div', { className: 'msg-body', textContent: body }),
      make('div', { className: 'msg-meta' }),
    ]);
    const list = $('ol.messages', win);
    list.append(li);
    scrollToBottom(list);
    pending.set(li.id, message);

    textarea.value = '';
    form.elements.clientId.value = crypto.randomUUID();
    cancelReply(form);
    setComposerError(win, null);
    // Sending moves one's read pointer on the server without telling the pages, so the read goes first.
    await flushRead(message.conversationId);
    await deliver(message);
  }

  async function deliver(message) {
    const id = `m-${message.clientId}`;
    let res;
    try {
      const { conversationId, clientId, body, replyTo } = message;
      res = await request('POST', `/chat/conversations/${conversationId}/messages`, { clientId, body, replyTo });
    } catch {
      return markFailed(id);
    }
    const text = await res.text().catch(() => '');
    const list = document.getElementById(`msgs-${message.conversationId}`);
    if (res.ok) {
      const li = parse(text).querySelector('li.msg');
      if (li && list) placeMessage(list, li);
      if (list && isAtBottom(list, 200)) scrollToBottom(list);
      return;
    }
    const error = res.status < 500 ? parse(text).querySelector('.composer-error-text') : null;
    if (!error) return markFailed(id);
    // Refused as written: the text goes back into the composer with the reason, nothing stays in the list.
    document.getElementById(id)?.remove();
    pending.delete(id);
    const win = list?.closest('.chat-window');
    if (!win) return;
    setComposerError(win, error);
    const form = $('form[data-composer]', win);
    const textarea = form.elements.body;
    textarea.value = textarea.value ? `${message.body}\n${textarea.value}` : message.body;
    if (message.replyTo && !form.elements.replyTo.value) {
      const original = $(`li.msg[data-message-id="${CSS.escape(message.replyTo)}"]`, win);
      if (original) startReply(original, false);
    }
  }

  function markFailed(id) {
    const li = document.getElementById(id);
    if (!li?.classList.contains('pending')) return;
    li.classList.add('failed');
    $('.msg-meta', li).replaceChildren(
      make('span', { className: 'msg-status', textContent: strings.notSent }),
      ' ',
      make('button', { type: 'button', className: 'link-button retry-button', textContent: strings.retry, attrs: { 'data-action': 'retry' } }),
    );
  }

  function retry(li) {
    const message = pending.get(li.id);
    if (!message) return;
    li.classList.remove('failed');
    $('.msg-meta', li).replaceChildren();
    deliver(message);
  }

  function setComposerError(win, errorElt) {
    const slot = document.getElementById(`composer-error-${win.dataset.conversationId}`);
    if (slot) slot.replaceChildren(...(errorElt ? errorElt.childNodes : []));
  }

  function authorOf(li) {
    if (li.classList.contains('mine')) return $('.account-name')?.textContent.trim() ?? '';
    return ($('.msg-author', li)?.firstChild?.textContent ?? '').trim();
  }

  const bodyText = (li) => ($('.msg-body', li)?.textContent ?? '').trim();

  function startReply(li, focus = true) {
    const form = $('form[data-composer]', li.closest('.chat-window'));
    if (!form || !li.dataset.messageId) return;
    form.elements.replyTo.value = li.dataset.messageId;
    const preview = $('.reply-preview', form);
    const excerpt = bodyText(li);
    $('span', preview).textContent = `${strings.replyingTo.replace('{name}', authorOf(li))}: ${excerpt.length > 80 ? `${excerpt.slice(0, 80)}…` : excerpt}`;
    preview.hidden = false;
    if (focus) form.elements.body.focus();
  }

  function cancelReply(form) {
    form.elements.replyTo.value = '';
    const preview = $('.reply-preview', form);
    if (preview) preview.hidden = true;
  }

  /** A quote leads to its original, loading older pages until it is there. */
  async function jumpTo(link) {
    const list = link.closest('ol.messages');
    for (let page = 0; page < 20; page++) {
      const original = document.getElementById(link.dataset.jump);
      if (original) {
        original.scrollIntoView({ block: 'center', behavior: 'smooth' });
        original.classList.add('highlight');
        original.setAttribute('tabindex', '-1');
        original.focus({ preventScroll: true });
        setTimeout(() => original.classList.remove('highlight'), 2500);
        return;
      }
      if (!(await loadOlder(list))) return;
    }
  }

  function loadOlder(list) {
    const button = $(':scope > li.older button', list);
    if (!button) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (loaded) => {
        clearTimeout(timer);
        document.removeEventListener('htmx:after:swap', swapped);
        resolve(loaded);
      };
      const swapped = () => !button.isConnected && finish(true);
      const timer = setTimeout(() => finish(false), 5000);
      document.addEventListener('htmx:after:swap', swapped);
      // It also loads when scrolled into view: a page already on its way is waited for, not asked for twice.
      if (!button.classList.contains('htmx-request')) button.click();
    });
  }

  // ---------------------------------------------------------------- reads

  const readTimers = new Map();
  const readSent = new Map();

  function scheduleRead(win) {
    const id = win?.dataset.conversationId;
    if (!id || readTimers.has(id)) return;
    readTimers.set(
      id,
      setTimeout(() => flushRead(id), 200),
    );
  }

  /** Up to the newest message the user can see: the window is on screen, the page has focus, the message is scrolled into view. */
  function flushRead(id) {
    clearTimeout(readTimers.get(id));
    readTimers.delete(id);
    const win = document.getElementById(`win-${id}`);
    const list = win && $('ol.messages', win);
    if (!list || document.visibilityState !== 'visible' || !document.hasFocus() || !onScreen(list)) return Promise.resolve();
    const visibleBottom = list.scrollTop + list.clientHeight;
    const seen = shownMessages(list)
      .filter((li) => li.offsetTop < visibleBottom)
      .pop();
    const upTo = seen ? messageId(seen) : 0;
    if (!upTo || upTo <= (readSent.get(id) || 0)) return Promise.resolve();
    readSent.set(id, upTo);
    return request('POST', `/chat/conversations/${id}/read`, { upTo: String(upTo) }).catch(() => readSent.delete(id));
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

  const isAtBottom = (list, slack = 40) => !list || list.scrollHeight - list.scrollTop - list.clientHeight < slack;
  function scrollToBottom(list) {
    if (list) list.scrollTop = list.scrollHeight;
  }

  // ---------------------------------------------------------------- message menu

  const menu = document.getElementById('chat-menu');
  let menuFor = null;
  let menuReturn = null;

  function openMenu(li, x, y, returnTo) {
    if (!menu) return;
    menuFor = li;
    menuReturn = returnTo;
    const win = li.closest('.chat-window');
    $('[data-menu="edit"]', menu).hidden = !(li.dataset.canEdit && $('.msg-body[data-editable]', li));
    $('[data-menu="delete"]', menu).hidden = !(li.dataset.canDelete || win?.dataset.manages);
    $('[data-menu="copy"]', menu).hidden = !bodyText(li);
    menu.hidden = false;
    const { width, height } = menu.getBoundingClientRect();
    menu.style.left = `${clamp(x, 4, window.innerWidth - width - 4)}px`;
    menu.style.top = `${clamp(y, 4, window.innerHeight - height - 4)}px`;
    $('[data-action="menu"]', li)?.setAttribute('aria-expanded', 'true');
    menuItems()[0]?.focus();
  }

  const menuItems = () => $$('[role="menuitem"]:not([hidden])', menu);

  function closeMenu(restoreFocus = true) {
    if (!menu || menu.hidden) return;
    menu.hidden = true;
    $('[data-action="menu"][aria-expanded]', menuFor ?? document)?.removeAttribute('aria-expanded');
    if (restoreFocus && menuReturn?.isConnected) menuReturn.focus();
    menuFor = null;
  }

  function onMenuKey(event) {
    const items = menuItems();
    const at = items.indexOf(document.activeElement);
    const go = (i) => items[(i + items.length) % items.length]?.focus();
    if (event.key === 'ArrowDown') go(at + 1);
    else if (event.key === 'ArrowUp') go(at - 1);
    else if (event.key === 'Home') go(0);
    else if (event.key === 'End') go(items.length - 1);
    else if (event.key === 'Escape') closeMenu();
    else if (event.key === 'Tab') return closeMenu(false);
    else return;
    event.preventDefault();
    event.stopPropagation();
  }

  async function runMenu(item) {
    const li = menuFor;
    const action = item.dataset.menu;
    closeMenu(action !== 'reply' && action !== 'edit');
    if (!li?.isConnected) return;
    if (action === 'reply') startReply(li);
    else if (action === 'copy') copyText(bodyText(li));
    else if (action === 'edit') startEdit(li);
    else if (action === 'delete' && window.confirm(item.dataset.confirm)) updateMessage(li, 'DELETE');
    else if (action.startsWith('crm-')) window.location.assign(`/crm/${action.slice(4)}/new?fromMessage=${li.dataset.messageId}`);
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const scratch = make('textarea', { value: text, className: 'visually-hidden' });
      document.body.append(scratch);
      scratch.select();
      document.execCommand('copy');
      scratch.remove();
    }
  }

  /** PATCH (an edit) or DELETE: the reply is the message as it now is. */
  async function updateMessage(li, method, data) {
    const win = li.closest('.chat-window');
    try {
      const res = await request(method, `/chat/messages/${li.dataset.messageId}`, data);
      const text = await res.text();
      if (res.ok) {
        const fresh = parse(text).querySelector('li.msg');
        const list = li.closest('ol.messages');
        if (fresh && list) placeMessage(list, fresh);
        return true;
      }
      const error = parse(text).querySelector('.composer-error-text');
      if (win && error) setComposerError(win, error);
    } catch {
      // nothing changed; the message stays as it was
    }
    return false;
  }

  // ---------------------------------------------------------------- edit in place

  function startEdit(li) {
    const body = $('.msg-body[data-editable]', li);
    if (!body || !li.dataset.canEdit || li.classList.contains('editing')) return;
    const original = body.textContent;
    const label = $('[data-menu="edit"]', menu)?.textContent.trim() ?? '';
    const box = make('textarea', {
      className: 'edit-box',
      value: original,
      rows: Math.min(8, original.split('\n').length + 1),
      attrs: { 'aria-label': label },
    });
    body.hidden = true;
    body.after(box);
    li.classList.add('editing');
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    const finish = () => {
      box.remove();
      body.hidden = false;
      li.classList.remove('editing');
    };
    box.addEventListener('keydown', async (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        finish();
        body.focus();
      } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (box.value === original) return finish();
        box.disabled = true;
        const saved = await updateMessage(li, 'PATCH', { body: box.value });
        if (saved) {
          const fresh = document.getElementById(li.id);
          $('.msg-body', fresh)?.focus();
        } else {
          box.disabled = false;
          box.focus();
        }
      }
    });
    box.addEventListener('blur', () => {
      if (box.value === original && !box.disabled) setTimeout(() => box.isConnected && document.activeElement !== box && finish(), 0);
    });
  }

  // ---------------------------------------------------------------- emoji

  const EMOJI = '😀 😂 😊 😍 😉 😎 🤔 😅 🙂 🙃 😢 😭 😮 😡 😴 🤗 👍 👎 👏 🙏 👌 ✌️ 💪 🤝 👋 🎉 🔥 ⭐ ❤️ 💔 ✅ ❌ ⚠️ 💡 📌 📎 📅 ☕ 🍕 🚀'.split(' ');
  const COLUMNS = 8;

  function togglePicker(button) {
    const form = button.closest('form');
    let picker = $('.emoji-picker', form);
    if (picker && !picker.hidden) return closePicker(picker, true);
    if (!picker) {
      const choices = EMOJI.map((emoji, i) =>
        make('button', { type: 'button', className: 'emoji', textContent: emoji, tabIndex: i === 0 ? 0 : -1, attrs: { 'data-emoji': emoji } }),
      );
      const grid = make('div', { className: 'emoji-grid', attrs: { role: 'group', 'aria-label': strings.emoji } }, choices);
      picker = make('div', { className: 'emoji-picker', attrs: { role: 'dialog', 'aria-label': strings.emoji } }, [grid]);
      button.after(picker);
    }
    picker.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    $('.emoji[tabindex="0"]', picker)?.focus();
  }

  function closePicker(picker, restoreFocus) {
    picker.hidden = true;
    const button = $('[data-action="emoji"]', picker.closest('form'));
    button?.setAttribute('aria-expanded', 'false');
    if (restoreFocus) button?.focus();
  }

  function chooseEmoji(choice) {
    const form = choice.closest('form');
    const textarea = form.elements.body;
    const start = textarea.selectionStart ?? textarea.value.length;
    const end = textarea.selectionEnd ?? start;
    textarea.setRangeText(choice.dataset.emoji, start, end, 'end');
    closePicker(choice.closest('.emoji-picker'), false);
    textarea.focus();
  }

  function onPickerKey(event) {
    const picker = event.target.closest('.emoji-picker');
    const choices = $$('.emoji', picker);
    const at = choices.indexOf(event.target);
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS, Home: -at, End: choices.length - 1 - at };
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      return closePicker(picker, true);
    }
    if (!(event.key in moves) || at < 0) return;
    event.preventDefault();
    const next = choices[clamp(at + moves[event.key], 0, choices.length - 1)];
    choices.forEach((c) => (c.tabIndex = c === next ? 0 : -1));
    next.focus();
  }

  // ---------------------------------------------------------------- dialog, tabs, times, title, sound

  const dialog = document.getElementById('chat-dialog');

  function selectTab(tab, focus = true) {
    const tabs = $$('[role="tab"]', tab.closest('[role="tablist"]'));
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute('aria-selected', String(selected));
      t.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(t.getAttribute('aria-controls'));
      if (panel) panel.hidden = !selected;
    }
    if (focus) tab.focus();
  }

  function initTabs(root) {
    for (const tab of $$('.panel-tabs [role="tab"]', root)) tab.tabIndex = tab.getAttribute('aria-selected') === 'true' ? 0 : -1;
  }

  const shortTime = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
  const fullTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });

  function localizeTimes(root) {
    const times = root.matches?.('time[datetime]') ? [root] : $$('time[datetime]', root);
    for (const time of times) {
      const date = new Date(time.dateTime);
      if (Number.isNaN(date.getTime())) continue;
      time.textContent = time.closest('.msg') ? shortTime.format(date) : fullTime.format(date);
      time.title = fullTime.format(date);
    }
  }

  // A push updates one conversation's badge; the panel's total is the sum of the badges it shows.
  function recountUnread() {
    const total = document.getElementById('unread-total');
    if (!total) return;
    let sum = 0;
    for (const badge of $$('.badge[id^="unread-"][data-count]:not(#unread-total)')) sum += Number(badge.dataset.count) || 0;
    if (String(sum) === total.dataset.count) return;
    total.dataset.count = String(sum);
    total.classList.toggle('empty', !sum);
    const shown = sum < 100 ? String(sum) : '99+';
    const hidden = document.createElement('span');
    hidden.className = 'visually-hidden';
    hidden.textContent = (total.dataset.label || '{count}').replace('{count}', shown);
    const visible = document.createElement('span');
    visible.setAttribute('aria-hidden', 'true');
    visible.textContent = shown;
    total.replaceChildren(...(sum ? [visible, hidden] : []));
  }

  function updateTitle() {
    const badge = $('#unread-total [aria-hidden]');
    const count = badge ? badge.textContent.trim() : '';
    const base = document.title.replace(/^\(\d+\+?\) /, '');
    document.title = count ? `(${count}) ${base}` : base;
  }

  let audio = null;
  function unlockAudio() {
    try {
      audio ??= new AudioContext();
      if (audio.state === 'suspended') audio.resume();
    } catch {
      audio = null;
    }
  }

  /** A short two-note chime, made on the spot: no sound file to fetch. */
  function chime() {
    unlockAudio();
    if (!audio) return;
    const now = audio.currentTime;
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.2, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.35);
    const tone = audio.createOscillator();
    tone.type = 'sine';
    tone.frequency.setValueAtTime(880, now);
    tone.frequency.setValueAtTime(1175, now + 0.12);
    tone.connect(gain);
    tone.start(now);
    tone.stop(now + 0.36);
  }

  function notify({ conversationId }) {
    if (panelData().sound !== 'on') return;
    const win = document.getElementById(`win-${conversationId}`);
    const watching = !document.hidden && document.hasFocus() && !!win?.contains(document.activeElement);
    if (!watching) chime();
  }

  // ---------------------------------------------------------------- wiring

  document.addEventListener(
    'submit',
    (event) => {
      const form = event.target.closest?.('form[data-composer]');
      if (!form) return;
      // Ours, not htmx's: the message shows at once and a failed send keeps its client id for the retry.
      event.preventDefault();
      event.stopPropagation();
      submitComposer(form);
    },
    true,
  );

  document.addEventListener('keydown', (event) => {
    const target = event.target;
    if (menu && !menu.hidden && menu.contains(target)) return onMenuKey(event);
    if (target.closest?.('.emoji-picker')) return onPickerKey(event);
    if (target.matches?.('form[data-composer] textarea[name="body"]') && event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      target.form.requestSubmit();
    } else if (target.matches?.('.msg-body[data-editable]') && event.key === 'Enter') {
      event.preventDefault();
      startEdit(target.closest('li.msg'));
    } else if (target.matches?.('[role="tab"]') && ['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) {
      const tabs = $$('[role="tab"]', target.closest('[role="tablist"]'));
      const at = tabs.indexOf(target);
      const next = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 }[event.key];
      selectTab(tabs[(next + tabs.length) % tabs.length]);
      event.preventDefault();
    } else if (event.key === 'Escape') {
      const open = target.closest?.('details[open]');
      if (open) {
        open.open = false;
        $('summary', open)?.focus();
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
    for (const picker of $$('.emoji-picker:not([hidden])'))
      if (!picker.contains(target) && !target.closest('[data-action="emoji"]')) closePicker(picker, false);
    for (const details of $$('details[open]')) if (!details.contains(target)) details.open = false;

    const action = target.closest('[data-action]');
    const li = target.closest('li.msg');
    const win = target.closest('section.chat-window');
    switch (action?.dataset.action) {
      case 'toggle-size':
        return toggleSize(win);
      case 'close':
        return closeWindow(win);
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
    }
    const quote = target.closest('a.msg-quote[data-jump]');
    if (quote) {
      event.preventDefault();
      return jumpTo(quote);
    }
    const editable = target.closest('.msg-body[data-editable]');
    if (editable && !target.closest('a') && !String(window.getSelection?.() ?? '')) return startEdit(editable.closest('li.msg'));
    const tab = target.closest('[role="tab"]');
    if (tab?.closest('.panel-tabs')) return selectTab(tab);
    if (target.closest('[data-open-dialog]')) target.closest('details[open]')?.removeAttribute('open');
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
    if (menu && !menu.hidden && !menu.contains(event.target)) closeMenu(false);
    const win = event.target.closest?.('section.chat-window.floating');
    if (win) bringToFront(win);
    startPointerGesture(event);
  });

  document.addEventListener('keydown', unlockAudio, { once: true });

  document.addEventListener('focusin', (event) => {
    const win = event.target.closest?.('section.chat-window');
    if (win) scheduleRead(win);
    if (menu && !menu.hidden && !menu.contains(event.target)) closeMenu(false);
  });

  document.addEventListener(
    'scroll',
    (event) => {
      if (event.target instanceof Element && event.target.matches('ol.messages')) scheduleRead(event.target.closest('section.chat-window'));
    },
    true,
  );

  const readAll = () => windows().forEach(scheduleRead);
  window.addEventListener('focus', readAll);
  document.addEventListener('visibilitychange', readAll);
  window.addEventListener('resize', () => closeMenu(false));

  document.addEventListener('htmx:before:request', (event) => {
    const source = event.detail?.ctx?.sourceElement;
    const id = source?.dataset?.openConversation;
    const open = id ? document.getElementById(`win-${id}`) : null;
    // A conversation already in a window is brought forward rather than opened twice.
    if (open?.classList.contains('floating') && panelData().openIn !== 'main') {
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
    const older = ctx?.target?.closest?.('li.older');
    const list = older?.closest('ol.messages');
    // Older messages go on top without moving what the user is reading.
    if (list) olderLoads.set(ctx, { list, fromBottom: list.scrollHeight - list.scrollTop });
  });

  document.addEventListener('htmx:after:swap', (event) => {
    const ctx = event.detail?.ctx;
    const older = ctx && olderLoads.get(ctx);
    if (older) older.list.scrollTop = older.list.scrollHeight - older.fromBottom;
    const body = document.getElementById('chat-dialog-body');
    if (dialog && body && ctx?.target instanceof Element && body.contains(ctx.target) && body.childElementCount && !dialog.open) dialog.showModal();
    updateTitle();
  });

  document.addEventListener('chat:open', (event) => {
    if (dialog?.open) dialog.close();
    const id = event.detail?.conversationId;
    if (id) openConversation(id);
  });

  // Other scripts (uploads) hand over the messages they receive to be placed like pushed ones.
  document.addEventListener('chat:html', (event) => {
    if (typeof event.detail === 'string') apply(event.detail);
  });

  dialog?.addEventListener('close', () => $('#chat-dialog-body')?.replaceChildren());

  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) if (node.nodeType === 1) localizeTimes(node);
    }
    reconcileWindows();
  }).observe(document.body, { childList: true, subtree: true });

  localizeTimes(document.body);
  // A conversation opened as a whole page is not shown twice: its window, if left open, waits for the next page.
  for (const win of $$('#main section.chat-window')) $(`#chat-windows > #${CSS.escape(win.id)}`)?.remove();
  for (const win of windows()) quietly.add(win.dataset.conversationId);
  reconcileWindows();
  booted = true;
  initTabs(document);
  updateTitle();
})();
