// A Livechat consultant's pages: a chime and a spoken line when a chat comes to them or its visitor writes,
// and the open chat's log caught up after the socket was away. The pushes themselves are applied by main.js.
import { panelData } from '../chat/dom.js';
import { socket } from '../chat/live.js';
import { chime } from '../chat/notify.js';

let heard = '';

if (socket) {
  socket.on('html', (html) => {
    if (typeof html !== 'string') return;
    const mark = /data-livechat-chime="([^"]+)"/.exec(html)?.[1];
    if (!mark || mark === heard) return;
    heard = mark;
    if (panelData().sound === 'on') chime();
    const announcer = document.getElementById('chat-announcer');
    const strings = document.getElementById('livechat-section-title');
    if (announcer && strings) announcer.textContent = strings.textContent.trim();
  });
}

document.addEventListener('chat:reconnected', () => {
  for (const log of document.querySelectorAll('[data-livechat-log]')) htmx.ajax('GET', log.dataset.livechatLog, { target: log, swap: 'outerHTML' });
  const section = document.getElementById('livechat-section');
  if (section) htmx.ajax('GET', '/livechat/section', { target: section, swap: 'outerHTML' });
});

// Enter sends an answer, Shift+Enter starts a new line.
document.addEventListener('keydown', (event) => {
  const box = event.target.closest?.('.lc-composer textarea');
  if (!box || event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  box.form.requestSubmit();
});
