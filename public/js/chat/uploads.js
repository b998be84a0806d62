// Files in chat: the paperclip and drag and drop (onto a window, or onto a person or group in the panel), one
// upload per file with its own progress bar and cancel button, and images opened full screen. Uploads go by
// XMLHttpRequest, the one browser API that reports upload progress; the answer is placed like any message.
import { $, make, panelData, parse, strings, windowOf, windows } from './dom.js';
import { show } from './live.js';
import { openConversation } from './windows.js';

function csrf() {
  try {
    return JSON.parse(document.body.getAttribute('hx-headers:inherited') || '{}')['X-CSRF-Token'] || '';
  } catch {
    return '';
  }
}

function uploadList(win) {
  let list = $('.uploads', win);
  if (!list) {
    list = make('ul', { className: 'uploads', attrs: { 'aria-live': 'polite' } });
    $('form[data-composer]', win)?.before(list);
  }
  return list;
}

/** Streams one file to the conversation; the answer is the message, placed like a pushed one. */
export function upload(conversationId, file) {
  const win = windowOf(conversationId);
  const name = make('span', { className: 'upload-name', textContent: file.name });
  const bar = make('progress', { max: 100, value: 0, attrs: { 'aria-label': `${strings.uploading} ${file.name}` } });
  const cancel = make('button', { type: 'button', className: 'icon-button', textContent: '✕', title: strings.cancelUpload, attrs: { 'aria-label': `${strings.cancelUpload}: ${file.name}` } });
  const item = make('li', { className: 'upload' }, [name, bar, cancel]);
  if (win) uploadList(win).append(item);

  const form = new FormData();
  form.append('clientId', crypto.randomUUID());
  form.append('file', file);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', `/chat/conversations/${conversationId}/attachments`);
  xhr.setRequestHeader('X-CSRF-Token', csrf());
  xhr.setRequestHeader('HX-Request', 'true');
  xhr.upload.addEventListener('progress', (event) => {
    if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
  });
  const fail = (text) => {
    item.classList.add('failed');
    bar.remove();
    name.textContent = `${file.name}: ${text}`;
    cancel.onclick = () => item.remove();
  };
  xhr.addEventListener('load', () => {
    if (xhr.status >= 200 && xhr.status < 300) {
      item.remove();
      show(conversationId, xhr.responseText);
    } else {
      fail(parse(xhr.responseText).textContent.trim() || strings.notSent);
    }
  });
  xhr.addEventListener('error', () => fail(strings.notSent));
  cancel.onclick = () => {
    xhr.abort();
    item.remove();
  };
  xhr.send(form);
}

/** A person in the panel may have no conversation yet: opening it makes one, then the files go there. */
async function conversationOf(entry) {
  if (entry.dataset.conversationId) return entry.dataset.conversationId;
  const link = $('a[href]', entry);
  const main = panelData().openIn === 'main';
  const before = new Set(windows().map((w) => w.dataset.conversationId));
  await htmx.ajax('GET', `${link.getAttribute('href')}${main ? '?mode=main' : ''}`, {
    source: link,
    target: main ? '#main' : '#chat-windows',
    swap: main ? 'innerHTML' : 'beforeend',
  });
  const id = windows().find((w) => !before.has(w.dataset.conversationId))?.dataset.conversationId;
  if (id) entry.dataset.conversationId = id;
  return id;
}

document.addEventListener('change', (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.matches('input[data-attach]')) return;
  const win = input.closest('.chat-window');
  for (const file of input.files ?? []) upload(win.dataset.conversationId, file);
  input.value = '';
});

const dropTarget = (event) => event.target instanceof Element && event.target.closest('.chat-window, #chat-panel .entry');
const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');

document.addEventListener('dragover', (event) => {
  const target = hasFiles(event) && dropTarget(event);
  document.querySelectorAll('.drop-target').forEach((node) => node !== target && node.classList.remove('drop-target'));
  if (!target) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
  target.classList.add('drop-target');
});

document.addEventListener('dragleave', (event) => {
  const target = dropTarget(event);
  if (target && !target.contains(event.relatedTarget)) target.classList.remove('drop-target');
});

document.addEventListener('drop', async (event) => {
  const target = hasFiles(event) && dropTarget(event);
  if (!target) return;
  event.preventDefault();
  target.classList.remove('drop-target');
  const files = [...event.dataTransfer.files];
  const conversationId = target.matches('.chat-window') ? target.dataset.conversationId : await conversationOf(target);
  if (!conversationId) return;
  if (!windowOf(conversationId)) await openConversation(conversationId);
  for (const file of files) upload(conversationId, file);
});

// Images open full screen in a dialog; the link still works as a plain link without JavaScript.
const viewer = make('dialog', { className: 'image-viewer' });
const full = make('img', { alt: '' });
const close = make('button', { type: 'button', className: 'icon-button dialog-close', textContent: '✕', attrs: { 'aria-label': strings.closeImage } });
close.onclick = () => viewer.close();
viewer.append(full, close);
viewer.addEventListener('click', (event) => event.target === viewer && viewer.close());
document.body.append(viewer);
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element && event.target.closest('a[data-fullscreen]');
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  full.src = link.href;
  full.alt = link.querySelector('img')?.alt ?? '';
  viewer.showModal();
});
