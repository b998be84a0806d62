// A quote leads to the message it quotes, loading older pages until that message is there.
import { $ } from './dom.js';

export async function jumpTo(link) {
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
