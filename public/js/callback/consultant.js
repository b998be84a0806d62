// A Callback consultant's pages: a chime and a spoken line when a request comes (or comes back), the cards'
// age and SLA kept current (an overdue card turns red and rises to the top between pushes), and the group
// fetched afresh after the socket was away. The pushes themselves are applied by main.js.
import { panelData } from '../chat/dom.js';
import { socket } from '../chat/live.js';
import { chime } from '../chat/notify.js';

let heard = '';

if (socket) {
  socket.on('html', (html) => {
    if (typeof html !== 'string') return;
    const mark = /data-callback-chime="([^"]+)"/.exec(html)?.[1];
    if (!mark || mark === heard) return;
    heard = mark;
    if (panelData().sound === 'on') chime();
    const announcer = document.getElementById('chat-announcer');
    const title = document.getElementById('callback-section-title');
    if (announcer && title) announcer.textContent = title.textContent.trim();
  });
}

document.addEventListener('chat:reconnected', () => {
  const section = document.getElementById('callback-section');
  if (section) htmx.ajax('GET', '/callback/section', { target: section, swap: 'outerHTML' });
});

function tick() {
  const section = document.getElementById('callback-section');
  if (!section || section.hidden) return;
  const now = Date.now();
  const list = section.querySelector('.cb-cards');
  const cards = [...section.querySelectorAll('.cb-card')];
  for (const card of cards) {
    const age = Math.floor((now - Number(card.dataset.created)) / 60000);
    const left = Math.floor((Number(card.dataset.due) - now) / 60000);
    const ageText = card.querySelector('[data-age]');
    if (ageText) ageText.textContent = section.dataset.ageText.replace('{m}', String(Math.max(0, age)));
    const waiting = card.dataset.status === 'waiting';
    const over = waiting && now > Number(card.dataset.due);
    card.classList.toggle('overdue', over);
    const sla = card.querySelector('[data-sla]');
    if (sla)
      sla.textContent = over ? section.dataset.overText.replace('{m}', String(-left)) : section.dataset.leftText.replace('{m}', String(Math.max(0, left)));
  }
  // Overdue waiting cards first by due time, as the server orders them.
  const overdue = cards.filter((c) => c.classList.contains('overdue')).sort((a, b) => Number(a.dataset.due) - Number(b.dataset.due));
  if (list && overdue.length && list.firstElementChild !== overdue[0]) for (const card of overdue.reverse()) list.prepend(card);
}
setInterval(tick, 15000);
