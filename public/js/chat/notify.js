// What tells the user something came: the badges' total, the page title, and a short chime.
import { $, $$, panelData, windowOf } from './dom.js';
import { takeOnce } from './one-tab.js';

/** A push updates one conversation's badge; the panel's total is the sum of the badges it shows. */
export function recountUnread() {
  const total = document.getElementById('unread-total');
  if (!total) return;
  let sum = 0;
  for (const badge of $$('.badge[id^="unread-"][data-count]:not(#unread-total)')) sum += Number(badge.dataset.count) || 0;
  if (String(sum) === total.dataset.count) return;
  total.dataset.count = String(sum);
  total.classList.toggle('empty', !sum);
  const shown = sum < 100 ? String(sum) : '99+';
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = (total.dataset.label || '{count}').replace('{count}', shown);
  const visible = document.createElement('span');
  visible.setAttribute('aria-hidden', 'true');
  visible.textContent = shown;
  total.replaceChildren(...(sum ? [visible, hidden] : []));
}

/** After any badge changed: the total and the page title follow. */
export function badgesChanged() {
  recountUnread();
  updateTitle();
}

export function updateTitle() {
  const badge = $('#unread-total [aria-hidden]');
  const count = badge ? badge.textContent.trim() : '';
  const base = document.title.replace(/^\(\d+\+?\) /, '');
  document.title = count ? `(${count}) ${base}` : base;
}

let audio = null;
export function unlockAudio() {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') audio.resume();
  } catch {
    audio = null;
  }
}

/** A short two-note chime, made on the spot: no sound file to fetch. */
export function chime() {
  unlockAudio();
  if (!audio) return;
  const now = audio.currentTime;
  const gain = audio.createGain();
  gain.connect(audio.destination);
  gain.gain.setValueAtTime(0.0001, now);
  gain.gain.exponentialRampToValueAtTime(0.2, now + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.35);
  const tone = audio.createOscillator();
  tone.type = 'sine';
  tone.frequency.setValueAtTime(880, now);
  tone.frequency.setValueAtTime(1175, now + 0.12);
  tone.connect(gain);
  tone.start(now);
  tone.stop(now + 0.36);
}

/** A new message for this user: one chime across their tabs, unless they are looking at its conversation or muted it. */
export async function notify({ conversationId, messageId, muted }) {
  if (panelData().sound !== 'on' || muted) return;
  const watching = () => !document.hidden && document.hasFocus() && !!windowOf(conversationId)?.contains(document.activeElement);
  const id = Number(messageId);
  if (!id) {
    if (!watching()) chime();
    return;
  }
  const { mine } = await takeOnce('chimed', id);
  if (mine && !watching()) chime();
}
