// Something the user should notice once, however many of their tabs are open: the first tab to record the message's
// id in localStorage, under a Web Lock, is the one (where Web Locks are missing, outside a secure context, each tab
// waits a random moment first, which makes a double unlikely, not impossible). A tab the user is looking at claims
// first, so that a message read where it lands neither pops up nor chimes in a tab behind it.

const looking = () => document.visibilityState === 'visible' && document.hasFocus();

async function oneTabAtATime(claim) {
  if (navigator.locks?.request) return navigator.locks.request('gwar-one-tab', claim);
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 200));
  return claim();
}

function claimed(key, messageId) {
  let seen = [];
  try {
    seen = JSON.parse(localStorage.getItem(key) ?? '[]');
  } catch {
    seen = [];
  }
  if (!Array.isArray(seen)) seen = [];
  if (seen.includes(messageId)) return false;
  seen.push(messageId);
  try {
    localStorage.setItem(key, JSON.stringify(seen.slice(-100)));
  } catch {
    /* private mode: each tab decides for itself */
  }
  return true;
}

/**
 * Whether this tab takes the message for `kind` ('notified', 'chimed'), and whether the user is looking at it then.
 * A tab not looked at gives a looked-at one 250 ms to claim first.
 */
export async function takeOnce(kind, messageId) {
  if (!looking()) await new Promise((resolve) => setTimeout(resolve, 250));
  return oneTabAtATime(() => ({ mine: claimed(`gwar:${kind}`, messageId), looking: looking() }));
}
