// The search box's small part of the browser: a further page of hits takes the focus to its first hit, and a
// conversation opened at a hit (/chat/conversations/N?at=ID#m-…) shows that message, loading older pages if needed.
const PAGES_TO_LOOK_BACK = 20;

// Down from the box goes to the first result, as in a list of suggestions; Tab still goes along the header.
document.addEventListener('keydown', (event) => {
  if (event.key !== 'ArrowDown' || event.target?.id !== 'header-search-q') return;
  const first = document.querySelector('#main .search-results a');
  if (!first) return;
  event.preventDefault();
  first.focus();
});

document.addEventListener('htmx:after:swap', (event) => {
  const target = event.detail?.ctx?.target;
  if (!(target instanceof Element)) return;
  // The "more" item was replaced by the next page: its first hit takes the focus, never <body>.
  const first = document.querySelector('#search-message-hits li[data-page-start]');
  if (!first) return;
  first.removeAttribute('data-page-start');
  first.querySelector('a')?.focus();
});

function olderButton(list) {
  return list.querySelector(':scope > li.older button');
}

/** htmx wires the page's elements when the document has loaded, which may be after this module ran. */
async function wired(element) {
  for (let i = 0; i < 100 && !element.hasAttribute('data-htmx-powered'); i++) await new Promise((r) => setTimeout(r, 50));
}

async function loadOlder(list) {
  const button = olderButton(list);
  if (!button) return false;
  await wired(button);
  return new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (!button.isConnected) finish(true);
    });
    const timer = setTimeout(() => finish(false), 5000);
    function finish(loaded) {
      clearTimeout(timer);
      observer.disconnect();
      resolve(loaded);
    }
    observer.observe(list, { childList: true });
    if (!button.classList.contains('htmx-request')) button.click();
  });
}

async function showTarget() {
  if (!/^\/chat\/conversations\/\d+$/.test(location.pathname) || !new URLSearchParams(location.search).has('at')) return;
  const id = decodeURIComponent(location.hash.slice(1));
  const list = document.querySelector('#main section.chat-window ol.messages');
  if (!id || !list) return;
  for (let page = 0; page <= PAGES_TO_LOOK_BACK; page++) {
    const message = document.getElementById(id);
    if (message && list.contains(message)) {
      message.classList.add('search-target');
      message.setAttribute('tabindex', '-1');
      message.scrollIntoView({ block: 'center' });
      message.focus({ preventScroll: true });
      return;
    }
    if (!(await loadOlder(list))) return;
  }
}

// After the chat's own start (a module before this one), which scrolls every window to its newest message.
setTimeout(showTarget, 0);
