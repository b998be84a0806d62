// A message's menu (⋮ or right-click) and what it does: reply, copy, edit in place, delete, and CRM objects made
// from the message. Edits and deletions go through htmx; their answer is the message as it now is. The gears' and
// the status's menus are details-menu elements; this adds the keys that element leaves out.
import { $, $$, ajax, clamp, listOf, make, panelData } from './dom.js';
import { bodyText, startReply } from './composer.js';

const menu = document.getElementById('chat-menu');
let menuFor = null;
let menuReturn = null;

export const menuOpen = () => !!menu && !menu.hidden;
export const inMenu = (node) => !!menu && menu.contains(node);

export function openMenu(li, x, y, returnTo) {
  if (!menu) return;
  menuFor = li;
  menuReturn = returnTo;
  $('[data-menu="edit"]', menu).hidden = !li.dataset.canEdit;
  $('[data-menu="delete"]', menu).hidden = !li.dataset.canDelete;
  $('[data-menu="copy"]', menu).hidden = !bodyText(li);
  // The panel says what the plan has now (it is redrawn when the plan changes).
  for (const item of $$('[data-menu^="crm-"]', menu)) item.hidden = !('crmLinks' in panelData());
  menu.hidden = false;
  const { width, height } = menu.getBoundingClientRect();
  menu.style.left = `${clamp(x, 4, window.innerWidth - width - 4)}px`;
  menu.style.top = `${clamp(y, 4, window.innerHeight - height - 4)}px`;
  $('[data-action="menu"]', li)?.setAttribute('aria-expanded', 'true');
  items()[0]?.focus();
}

const items = () => $$('[role="menuitem"]:not([hidden])', menu);

export function closeMenu(restoreFocus = true) {
  if (!menuOpen()) return;
  menu.hidden = true;
  $('[data-action="menu"][aria-expanded]', menuFor ?? document)?.removeAttribute('aria-expanded');
  if (restoreFocus && menuReturn?.isConnected) menuReturn.focus();
  menuFor = null;
}

export function onMenuKey(event) {
  const all = items();
  const at = all.indexOf(document.activeElement);
  const go = (i) => all[(i + all.length) % all.length]?.focus();
  if (event.key === 'ArrowDown') go(at + 1);
  else if (event.key === 'ArrowUp') go(at - 1);
  else if (event.key === 'Home') go(0);
  else if (event.key === 'End') go(all.length - 1);
  else if (event.key === 'Escape') closeMenu();
  else if (event.key === 'Tab') return closeMenu(false);
  else return;
  event.preventDefault();
  event.stopPropagation();
}

export function runMenu(item) {
  const li = menuFor;
  const action = item.dataset.menu;
  closeMenu(action !== 'reply' && action !== 'edit');
  if (!li?.isConnected) return;
  if (action === 'reply') startReply(li);
  else if (action === 'copy') copyText(bodyText(li));
  else if (action === 'edit') startEdit(li);
  else if (action === 'delete' && window.confirm(item.dataset.confirm)) deleteMessage(li);
  else if (action.startsWith('crm-')) window.location.assign(`/crm/${action.slice(4)}/new?fromMessage=${li.dataset.messageId}`);
}

/** The focus goes on to the next message (its ⋮ is gone with it), or to the message box after the last one. */
async function deleteMessage(li) {
  const win = li.closest('section.chat-window');
  if (!(await change(li, 'DELETE'))) return;
  const deleted = document.getElementById(li.id);
  let next = deleted?.nextElementSibling;
  while (next && !next.matches('li.msg')) next = next.nextElementSibling;
  if (next) {
    next.tabIndex = -1;
    next.focus();
  } else $('textarea[name="body"]', win)?.focus();
}

/** Home and End in a gear's or the status's menu, and Tab closes it (the rest is details-menu's). */
export function onDetailsMenuKey(event, menuElement) {
  const all = $$('[role^="menuitem"]:not([hidden]):not([disabled])', menuElement);
  if (event.key === 'Home' || event.key === 'End') {
    event.preventDefault();
    all[event.key === 'Home' ? 0 : all.length - 1]?.focus();
  } else if (event.key === 'Tab') menuElement.closest('details')?.removeAttribute('open');
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

/** PATCH (an edit) or DELETE; true when the server took it. A refusal shows above the composer. */
async function change(li, verb, values) {
  const list = li.closest('ol.messages') ?? listOf(li.closest('.chat-window'));
  const status = await ajax(verb, `/chat/messages/${li.dataset.messageId}`, { source: li, values, target: list, swap: 'chat-messages' });
  return status >= 200 && status < 300;
}

/** Clicking one's own message's text edits it in place: Enter saves, Esc gives up. */
export function startEdit(li) {
  const body = $('.msg-body[data-editable]', li);
  if (!body || !li.dataset.canEdit || li.classList.contains('editing')) return;
  // A formatted message (styles, labelled links) is edited as typed, not as shown.
  const original = body.dataset.source ?? body.textContent;
  const label = $('[data-menu="edit"]', menu)?.textContent.trim() ?? '';
  const box = make('textarea', { className: 'edit-box', value: original, rows: Math.min(8, original.split('\n').length + 1), attrs: { 'aria-label': label } });
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
      if (await change(li, 'PATCH', { body: box.value })) {
        const fresh = document.getElementById(li.id);
        if (fresh === li) finish();
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
