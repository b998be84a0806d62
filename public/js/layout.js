// Every page's layout on a phone: the header's menu and the chat panel as a drawer. Both buttons are links to
// their targets (#site-menu, #chat-panel), which CSS opens by :target without JavaScript; here they toggle in place,
// say whether they are open, close with Esc or a tap outside, and give the focus back to their button.
const root = document.documentElement;
const OPEN = { drawer: 'chat-drawer-open', 'site-menu': 'site-menu-open' };
const phone = matchMedia('(max-width: 800px)');

const buttonOf = (what) => document.querySelector(`.header-button[data-toggle="${what}"]`);
const targetOf = (what) => document.getElementById(what === 'drawer' ? 'chat-panel' : what);

function setOpen(what, open, { focus = true } = {}) {
  root.classList.toggle(OPEN[what], open);
  buttonOf(what)?.setAttribute('aria-expanded', String(open));
  if (open) {
    for (const other of Object.keys(OPEN)) if (other !== what && root.classList.contains(OPEN[other])) setOpen(other, false, { focus: false });
    const first = targetOf(what)?.querySelector('.entry a, .help-entry a, a[href], button:not([hidden])');
    if (focus) first?.focus();
  } else if (focus) buttonOf(what)?.focus();
}

document.addEventListener('click', (event) => {
  const toggle = event.target instanceof Element ? event.target.closest('[data-toggle]') : null;
  if (toggle && phone.matches) {
    event.preventDefault();
    const what = toggle.dataset.toggle;
    return setOpen(what, !root.classList.contains(OPEN[what]));
  }
  // A conversation chosen in the drawer opens full screen: the drawer steps aside.
  if (root.classList.contains(OPEN.drawer) && event.target.closest?.('.entry a, .help-entry a')) return setOpen('drawer', false, { focus: false });
  for (const what of Object.keys(OPEN)) {
    if (root.classList.contains(OPEN[what]) && !targetOf(what)?.contains(event.target) && !buttonOf(what)?.contains(event.target)) setOpen(what, false, { focus: false });
  }
});

document.addEventListener('keydown', (event) => {
  // Links acting as buttons answer Space too.
  if (event.key === ' ' && event.target.matches?.('a[role="button"][data-toggle]')) {
    event.preventDefault();
    event.target.click();
  }
  if (event.key !== 'Escape' || event.defaultPrevented) return;
  for (const what of Object.keys(OPEN)) {
    if (root.classList.contains(OPEN[what]) && !event.target.closest?.('details[open], [role="menu"]:not([hidden])')) {
      event.preventDefault();
      setOpen(what, false);
    }
  }
});

phone.addEventListener('change', () => {
  for (const what of Object.keys(OPEN)) setOpen(what, false, { focus: false });
});

/** The drawer's button carries the panel's red total. */
function mirrorTotal() {
  const total = document.getElementById('unread-total');
  const badge = document.getElementById('drawer-badge');
  if (!badge) return;
  const count = total?.querySelector('[aria-hidden]')?.textContent.trim() ?? '';
  // Only a change is written: writing the same text would be a mutation too, and wake this observer again.
  if (badge.textContent === count) return;
  badge.textContent = count;
  badge.classList.toggle('empty', !count);
  const label = total?.querySelector('.visually-hidden')?.textContent.trim();
  const button = document.getElementById('drawer-button');
  if (button) button.title = label || '';
}
new MutationObserver(mirrorTotal).observe(document.body, { childList: true, subtree: true, characterData: true });
mirrorTotal();

/** How much of the header is still on screen: the column of maximized chats fills the rest of the height. */
const header = document.querySelector('.app-header');
let framed = false;
function trackHeader() {
  framed = false;
  const bottom = Math.max(0, Math.round(header?.getBoundingClientRect().bottom ?? 0));
  root.style.setProperty('--header-bottom', `${bottom}px`);
}
const onScroll = () => {
  if (!framed) (framed = true), requestAnimationFrame(trackHeader);
};
window.addEventListener('scroll', onScroll, { passive: true });
window.addEventListener('resize', onScroll);
trackHeader();
