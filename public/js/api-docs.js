// Swagger UI draws its list of servers without a label (axe: select-name): it is named by the heading beside it.
new MutationObserver(() => {
  const select = document.getElementById('servers');
  if (select && !select.hasAttribute('aria-label')) select.setAttribute('aria-label', document.querySelector('.servers-title')?.textContent.trim() || 'Servers');
}).observe(document.documentElement, { childList: true, subtree: true });
