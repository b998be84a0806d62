// The page's socket: pushed changes applied in order per conversation, caught up when one is missing, and checked
// against the server on reconnect, on focus and every few seconds, so a push that never came is made good.
import { announce, spoken } from './announce.js';
import { $, ajax, listOf, me, setComposerError, windowOf, windows } from './dom.js';
import { decorate, mergeWatermark, place } from './messages.js';
import { Sequencer } from './sequencer.js';

const CHECK_EVERY_MS = 5000;

export const socket = typeof window.io === 'function' ? window.io({ auth: { locale: document.documentElement.lang } }) : null;

/** Per shown conversation: its sequencer, and whether its room is joined. */
const states = new Map();
const listeners = { changed: [] };

/** Told after messages were put into a window (scrolling, reads, the count below): (win, wasAtBottom, others' new messages). */
export function onMessagesChanged(listener) {
  listeners.changed.push(listener);
}

htmx.registerExtension('gwar-chat', {
  handle_swap(style, target, fragment) {
    if (style === 'chat-messages') return placeInto(target, fragment);
    if (style === 'chat-changes') return caughtUp(target, fragment);
    if (style === 'prepend-new') return prependNew(target, fragment);
    return false;
  },
});

function placeInto(list, fragment) {
  const win = list.closest('section.chat-window');
  const refused = $('.composer-error-text', fragment);
  if (refused && win) setComposerError(win, refused.textContent.trim());
  const follow = atBottom(list);
  // Someone else's message new to this page is read out once; edits, deletions and one's own are not.
  const fresh = new Set([...fragment.children].filter((li) => li.matches('li.msg') && !document.getElementById(li.id) && Number(li.dataset.authorId) !== me));
  const added = place(list, fragment);
  const arrived = added.filter((li) => fresh.has(li) && !li.classList.contains('deleted'));
  for (const li of arrived) announce(spoken(li));
  if (win) for (const listener of listeners.changed) listener(win, follow, arrived);
  return added.length ? added : true;
}

/** A catch-up's answer: its messages, its watermark, and the sequence it brought the window to. */
function caughtUp(list, fragment) {
  const changes = $('[data-chat-changes]', fragment);
  const win = list.closest('section.chat-window');
  if (!changes || !win) return true;
  if (changes.dataset.read) mergeWatermark(win, changes.dataset.read);
  const added = placeInto(list, changes.content ?? changes);
  stateOf(win).reached = Number(changes.dataset.seq);
  return added;
}

/** A list item pushed to the top of a list, unless the list already has it (say, from a panel redrawn meanwhile). */
function prependNew(list, fragment) {
  const added = [];
  for (const item of [...fragment.children].reverse()) {
    const existing = item.id && document.getElementById(item.id);
    if (existing) existing.replaceWith(item);
    else list.prepend(item);
    added.push(item);
  }
  return added;
}

export const atBottom = (list, slack = 40) => !list || list.scrollHeight - list.scrollTop - list.clientHeight < slack;

function stateOf(win) {
  const id = win.dataset.conversationId;
  let state = states.get(id);
  if (state?.win !== win) {
    state?.sequencer.close();
    state = { win, joined: state?.joined ?? false, reached: null, sequencer: null };
    state.sequencer = new Sequencer(Number(win.dataset.seq) || 0, {
      apply: (html) => htmx.swap({ text: html, target: listOf(state.win), swap: 'chat-messages' }),
      catchUp: (from) => catchUp(state, from),
    });
    states.set(id, state);
    // A window drawn afresh (a reload) while its room was joined: what happened since it was drawn follows.
    if (state.joined) queueMicrotask(() => state.sequencer.resync());
  }
  return state;
}

async function catchUp(state, from) {
  const { win } = state;
  if (!win.isConnected) return null;
  state.reached = null;
  const id = win.dataset.conversationId;
  await ajax('GET', `/chat/conversations/${id}/changes?since=${from}`, { source: win, target: listOf(win), swap: 'chat-changes' });
  return state.reached;
}

/** A change to a conversation's messages, from a push or a reply: applied in its turn. */
export function offer(conversationId, seq, html) {
  const win = windowOf(conversationId);
  if (win) stateOf(win).sequencer.offer(seq, html);
}

/** Shows a reply's copy of a message at once, even out of turn: its element only ever moves forward. */
export function show(conversationId, html) {
  const win = windowOf(conversationId);
  if (win) htmx.swap({ text: html, target: listOf(win), swap: 'chat-messages' });
}

function join(state) {
  const id = Number(state.win.dataset.conversationId);
  if (!socket?.connected || state.joined) return;
  state.joined = true;
  // Joining after the window was rendered leaves a gap, closed by a catch-up once the room is ours.
  socket.emit('conversation:join', id, (ok) => {
    if (ok) stateOf(state.win).sequencer.resync();
    else state.joined = false;
  });
}

/** Joins the rooms of the windows shown and leaves those of windows that are gone. */
export function reconcile() {
  const present = new Set();
  for (const win of windows()) {
    present.add(win.dataset.conversationId);
    join(stateOf(win));
  }
  for (const [id, state] of states) {
    if (present.has(id)) continue;
    state.sequencer.close();
    states.delete(id);
    if (state.joined) socket?.emit('conversation:leave', Number(id));
  }
}

/** Where every shown conversation stands on the server: a window behind it catches up, one that is gone closes. */
export function check() {
  const ids = windows().map((w) => Number(w.dataset.conversationId));
  if (!socket?.connected || !ids.length) return;
  socket.timeout(10_000).emit('sync', ids, (err, positions) => {
    if (err || !Array.isArray(positions)) return;
    const known = new Map(positions.map((p) => [String(p.id), p]));
    for (const win of windows()) {
      const position = known.get(win.dataset.conversationId);
      if (!position) {
        win.dispatchEvent(new CustomEvent('chat:gone', { bubbles: true }));
        continue;
      }
      mergeWatermark(win, position.read);
      stateOf(win).sequencer.check(position.seq);
    }
  });
}

/** Out-of-band pieces (badges, dots, notifications) go through htmx like any htmx response. */
export function swapShell(html) {
  return html.trim() ? htmx.swap({ text: html, target: document.body, swap: 'none', sourceElement: document.body }) : Promise.resolve();
}

if (socket) {
  let connectedBefore = false;
  socket.on('connect', () => {
    document.documentElement.dataset.chatSocket = 'connected';
    for (const state of states.values()) state.joined = false;
    reconcile();
    if (connectedBefore) document.dispatchEvent(new CustomEvent('chat:reconnected'));
    connectedBefore = true;
  });
  socket.on('disconnect', () => {
    document.documentElement.dataset.chatSocket = 'disconnected';
    for (const state of states.values()) state.joined = false;
  });
  socket.on('messages', (event) => {
    if (event && typeof event.html === 'string') offer(event.conversationId, Number(event.seq), event.html);
  });
  socket.on('read', (event) => {
    const win = event && windowOf(event.conversationId);
    if (win && typeof event.read === 'string') mergeWatermark(win, event.read);
  });
  setInterval(() => document.visibilityState === 'visible' && check(), CHECK_EVERY_MS);
  window.addEventListener('focus', check);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && check());
}

// New content from any swap gets the page's own marks.
htmx.onLoad((elt) => decorate(elt));
