// The right panel: reloaded through htmx when the server says it changed, and its chat / notifications tabs.
import { $, $$, panelData } from './dom.js';
import { updateTitle } from './notify.js';

export async function refreshPanel() {
  const panel = document.getElementById('chat-panel');
  if (!panel) return;
  const selectedTab = $('[role="tab"][aria-selected="true"]', panel)?.id;
  await htmx.ajax('GET', '/chat/panel', { target: '#chat-panel', swap: 'outerHTML' }).catch(() => undefined);
  const tab = selectedTab && document.getElementById(selectedTab);
  if (tab) selectTab(tab, false);
  initTabs(document);
  updateTitle();
}

export function selectTab(tab, focus = true) {
  for (const t of $$('[role="tab"]', tab.closest('[role="tablist"]'))) {
    const selected = t === tab;
    t.setAttribute('aria-selected', String(selected));
    t.tabIndex = selected ? 0 : -1;
    const panel = document.getElementById(t.getAttribute('aria-controls'));
    if (panel) panel.hidden = !selected;
  }
  if (focus) tab.focus();
}

/** Sorted by last activity, a conversation with a new message moves to the top of the list at once. */
export function bumpEntry(key) {
  const entry = key && document.getElementById(`entry-${key}`);
  const list = entry?.parentElement;
  if (!entry || panelData().sortBy !== 'activity' || list.firstElementChild === entry) return;
  const focused = entry.contains(document.activeElement) ? document.activeElement : null;
  list.prepend(entry);
  focused?.focus();
}

/** The bell beside the chat icon: shows the notifications (their tab, or the panel expanded first). */
export function showNotifications(link) {
  const panel = document.getElementById('chat-panel');
  if (panel?.classList.contains('collapsed')) return document.getElementById('panel-toggle')?.click();
  const tab = document.getElementById('tab-notifications');
  if (tab) return selectTab(tab);
  const section = document.getElementById('panel-notifications');
  section?.setAttribute('tabindex', '-1');
  section?.focus();
  return link;
}

export function initTabs(root) {
  for (const tab of $$('.panel-tabs [role="tab"]', root)) tab.tabIndex = tab.getAttribute('aria-selected') === 'true' ? 0 : -1;
}

export function onTabKey(event) {
  const tabs = $$('[role="tab"]', event.target.closest('[role="tablist"]'));
  const at = tabs.indexOf(event.target);
  const next = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 }[event.key];
  selectTab(tabs[(next + tabs.length) % tabs.length]);
  event.preventDefault();
}
