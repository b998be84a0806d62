// What a screen reader hears of the chat, said once each, politely: a message arriving in an open window (its
// author and text), one in a conversation that is not open (its author and conversation), one's own message once
// sent, and the reply being written. The windows' lists are not live regions: their rows are replaced as messages
// are sent, stored, edited and read, which would read the same message out several times.
import { $, make, strings } from './dom.js';

const region = document.getElementById('chat-announcer');
const KEPT = 5;

export function announce(text) {
  if (!region || !text) return;
  region.append(make('p', { textContent: text }));
  while (region.childElementCount > KEPT) region.firstElementChild.remove();
}

/** "Author: text" of a message row (its attachments' names when it has no text). */
export function spoken(li) {
  const author = ($('.msg-author', li)?.firstChild?.textContent ?? '').trim();
  const body = ($('.msg-body', li)?.textContent ?? '').trim() || [...li.querySelectorAll('.attachment-name, img[alt]')].map((a) => a.alt || a.textContent).join(', ');
  return author ? `${author}: ${body}` : body;
}

/** A message in a conversation that is not open: who wrote, and where when it is not a one-to-one conversation. */
export function announceElsewhere(authorName, entry) {
  const where = entry?.classList.contains('entry-group') ? $('.entry-name', entry)?.textContent.trim() : entry?.closest('.help-entry') ? $('.entry-name', entry)?.textContent.trim() : '';
  const text = where ? strings.newMessageIn?.replace('{name}', authorName).replace('{conversation}', where) : strings.newMessageFrom?.replace('{name}', authorName);
  announce(text);
}
