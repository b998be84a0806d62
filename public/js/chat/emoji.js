// The emoji picker from the grey smiley: a grid moved through with the arrow keys; the choice goes into the text.
import { $, $$, clamp, make, strings } from './dom.js';

const EMOJI = '😀 😂 😊 😍 😉 😎 🤔 😅 🙂 🙃 😢 😭 😮 😡 😴 🤗 👍 👎 👏 🙏 👌 ✌️ 💪 🤝 👋 🎉 🔥 ⭐ ❤️ 💔 ✅ ❌ ⚠️ 💡 📌 📎 📅 ☕ 🍕 🚀'.split(' ');
const COLUMNS = 8;

export function togglePicker(button) {
  const form = button.closest('form');
  let picker = $('.emoji-picker', form);
  if (picker && !picker.hidden) return closePicker(picker, true);
  if (!picker) {
    const choices = EMOJI.map((emoji, i) =>
      make('button', { type: 'button', className: 'emoji', textContent: emoji, tabIndex: i === 0 ? 0 : -1, attrs: { 'data-emoji': emoji } }),
    );
    const grid = make('div', { className: 'emoji-grid', attrs: { role: 'group', 'aria-label': strings.emoji } }, choices);
    picker = make('div', { className: 'emoji-picker', attrs: { role: 'dialog', 'aria-label': strings.emoji } }, [grid]);
    button.after(picker);
  }
  picker.hidden = false;
  button.setAttribute('aria-expanded', 'true');
  $('.emoji[tabindex="0"]', picker)?.focus();
}

export function closePicker(picker, restoreFocus) {
  picker.hidden = true;
  const button = $('[data-action="emoji"]', picker.closest('form'));
  button?.setAttribute('aria-expanded', 'false');
  if (restoreFocus) button?.focus();
}

export function chooseEmoji(choice) {
  const textarea = choice.closest('form').elements.body;
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  textarea.setRangeText(choice.dataset.emoji, start, end, 'end');
  closePicker(choice.closest('.emoji-picker'), false);
  textarea.focus();
}

export function onPickerKey(event) {
  const picker = event.target.closest('.emoji-picker');
  const choices = $$('.emoji', picker);
  const at = choices.indexOf(event.target);
  const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS, Home: -at, End: choices.length - 1 - at };
  if (event.key === 'Escape') {
    event.preventDefault();
    event.stopPropagation();
    return closePicker(picker, true);
  }
  if (!(event.key in moves) || at < 0) return;
  event.preventDefault();
  const next = choices[clamp(at + moves[event.key], 0, choices.length - 1)];
  choices.forEach((c) => (c.tabIndex = c === next ? 0 : -1));
  next.focus();
}
