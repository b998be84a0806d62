// The composer: a message shows at once and is sent over the socket in the order typed, one at a time per
// conversation, retried with the same client id (never stored twice) until the server answers.
import { $, listOf, make, me, setComposerError, strings, windowOf } from './dom.js';
import { announce, spoken } from './announce.js';
import { offer, show, socket } from './live.js';
import { bumpEntry } from './panel.js';

const ACK_WAIT_MS = 10_000;
const ATTEMPTS = 3;

/** Messages shown before the server has them, by element id, kept for a retry with the same client id. */
const pending = new Map();
const queues = new Map();

/** False when there is no socket: the form then posts itself, as it does without JavaScript. */
export function submit(form) {
  if (!socket) return false;
  const textarea = form.elements.body;
  const body = textarea.value;
  if (!body.trim()) return true;
  const win = form.closest('.chat-window');
  const message = {
    conversationId: Number(win.dataset.conversationId),
    clientId: form.elements.clientId.value,
    replyTo: form.elements.replyTo.value || undefined,
    body,
  };
  const li = make(
    'li',
    {
      id: `m-${message.clientId}`,
      className: 'msg mine pending',
      attrs: { 'data-conversation': String(message.conversationId), 'data-author-key': `u${me}`, 'data-created-at': new Date().toISOString() },
    },
    [make('div', { className: 'msg-body', textContent: body }), make('div', { className: 'msg-meta' })],
  );
  const list = listOf(win);
  list.append(li);
  list.scrollTop = list.scrollHeight;
  pending.set(li.id, message);
  textarea.value = '';
  form.elements.clientId.value = crypto.randomUUID();
  cancelReply(form);
  setComposerError(win, null);
  enqueue(message);
  return true;
}

function enqueue(message) {
  const previous = queues.get(message.conversationId) ?? Promise.resolve();
  const next = previous.then(() => deliver(message));
  queues.set(message.conversationId, next);
}

async function deliver(message) {
  const id = `m-${message.clientId}`;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
    const ack = await sendOnce(message);
    if (ack?.ok) {
      pending.delete(id);
      show(message.conversationId, ack.html);
      offer(message.conversationId, ack.seq, ack.html);
      const stored = document.getElementById(id);
      if (stored) announce(spoken(stored));
      bumpEntry(windowOf(message.conversationId)?.dataset.entry);
      return;
    }
    if (ack && ack.status < 500) return giveBack(message, ack.error);
  }
  markFailed(id);
}

/** The server's answer, or null when none came (no connection, no answer in time). */
async function sendOnce(message) {
  if (!(await connected(ACK_WAIT_MS))) return null;
  return new Promise((resolve) => socket.timeout(ACK_WAIT_MS).emit('message:send', message, (err, ack) => resolve(err ? null : ack)));
}

function connected(ms) {
  if (socket.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      socket.off('connect', done);
      resolve(false);
    }, ms);
    socket.once('connect', done);
  });
}

/** Refused as written: the text goes back into the composer with the reason; nothing stays in the list. */
function giveBack(message, error) {
  const id = `m-${message.clientId}`;
  document.getElementById(id)?.remove();
  pending.delete(id);
  const win = windowOf(message.conversationId);
  if (!win) return;
  setComposerError(win, error);
  const form = $('form[data-composer]', win);
  const textarea = form.elements.body;
  textarea.value = textarea.value ? `${message.body}\n${textarea.value}` : message.body;
  if (message.replyTo && !form.elements.replyTo.value) {
    const original = $(`li.msg[data-message-id="${CSS.escape(String(message.replyTo))}"]`, win);
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

export function retry(li) {
  const message = pending.get(li.id);
  if (!message) return;
  li.classList.remove('failed');
  $('.msg-meta', li).replaceChildren();
  enqueue(message);
}

function authorOf(li) {
  if (li.classList.contains('mine')) return $('.account-name')?.textContent.trim() ?? '';
  return ($('.msg-author', li)?.firstChild?.textContent ?? '').trim();
}

export const bodyText = (li) => ($('.msg-body', li)?.textContent ?? '').trim();

export function startReply(li, focus = true) {
  const form = $('form[data-composer]', li.closest('.chat-window'));
  if (!form || !li.dataset.messageId) return;
  form.elements.replyTo.value = li.dataset.messageId;
  const preview = $('.reply-preview', form);
  const excerpt = bodyText(li);
  $('span', preview).textContent = `${strings.replyingTo.replace('{name}', authorOf(li))}: ${excerpt.length > 80 ? `${excerpt.slice(0, 80)}…` : excerpt}`;
  preview.hidden = false;
  announce($('span', preview).textContent);
  if (focus) form.elements.body.focus();
}

export function cancelReply(form) {
  form.elements.replyTo.value = '';
  const preview = $('.reply-preview', form);
  if (preview) preview.hidden = true;
}
