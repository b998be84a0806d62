// Helpers every chat module shares.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** The page's strings in its language (data attributes of #chat-strings). */
export const strings = document.getElementById('chat-strings')?.dataset ?? {};

/** The signed-in user: whose messages are "mine" on this page. */
export const me = Number(document.body.dataset.userId) || 0;

export const clamp = (n, min, max) => Math.max(min, Math.min(Math.max(min, max), n));

/** An element with properties, attributes (`attrs`) and children. */
export function make(tag, { attrs = {}, ...props } = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export function parse(html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  return template.content;
}

export const windows = () => $$('section.chat-window[data-conversation-id]');
export const windowOf = (conversationId) => document.getElementById(`win-${conversationId}`);
export const listOf = (win) => $('ol.messages', win);
export const panelData = () => document.getElementById('chat-panel')?.dataset ?? {};

/** The line above a window's composer that says what went wrong (a refused send, edit or deletion). */
export function setComposerError(win, text) {
  const slot = document.getElementById(`composer-error-${win.dataset.conversationId}`);
  if (slot) slot.textContent = text ?? '';
}

let requests = 0;

/**
 * A request through htmx (its headers, CSRF token and swaps) that also answers with its status: 0 when it never
 * got an answer. `options` are htmx.ajax's.
 */
export function ajax(verb, url, options = {}) {
  const id = String(++requests);
  const source = options.source ?? document.body;
  let status = 0;
  const heard = (event) => {
    const ctx = event.detail?.ctx;
    if (ctx?.request?.headers?.['X-Gwar-Request'] === id) status = ctx.response?.status ?? 0;
  };
  document.addEventListener('htmx:after:request', heard);
  return htmx
    .ajax(verb, url, { ...options, source, headers: { ...options.headers, 'X-Gwar-Request': id } })
    .catch(() => undefined)
    .then(() => {
      document.removeEventListener('htmx:after:request', heard);
      return status;
    });
}
