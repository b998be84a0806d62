import nunjucks from 'nunjucks';
import { avatarColour } from './avatar-colour';
import { escapeHtml } from './escape-html';
import { initials } from './view-filters';

export interface AvatarOf {
  kind: 'user' | 'bot' | 'support';
  id: number;
  name: string;
  /** An uploaded picture over the initials (an integration's: transparent when it has none). */
  image?: string;
}

// White robot on a dark tile: the mark that tells an integration from a member at a glance.
const BOT_MARK =
  '<svg class="bot-mark" viewBox="0 0 16 16" width="15" height="15"><rect x="1" y="4" width="14" height="11" rx="3" fill="#fff"/><rect x="7.25" y="0.5" width="1.5" height="3.5" fill="#fff"/><circle cx="8" cy="1" r="1.2" fill="#fff"/><circle cx="5.2" cy="9" r="1.6" fill="#1f2933"/><circle cx="10.8" cy="9" r="1.6" fill="#1f2933"/><rect x="5" y="12" width="6" height="1.3" rx=".6" fill="#1f2933"/></svg>';

/**
 * Every author's picture, decorative (the name beside it is the text): a member's initials in a circle coloured
 * from their id; an integration's in a rounded square with a bot mark, so an API message never looks like a
 * member's; the support team's agent in the Help colour. A template global (`avatar(a, 'md')`) rather than a macro:
 * the message partial renders it for every message, and importing a macro there doubled the partial's cost.
 */
export function avatarHtml(a: AvatarOf, size: 'sm' | 'md' = 'md', extra = ''): string {
  const classes = ['avatar', `avatar-${size}`, a.kind === 'bot' ? 'avatar-bot' : a.kind === 'support' ? 'avatar-support' : '', extra].filter(Boolean).join(' ');
  const colour = a.kind === 'support' ? '' : ` style="background-color: ${avatarColour(a.id)}"`;
  const image = a.image ? `<img class="avatar-image" src="${escapeHtml(a.image)}" alt="" decoding="async">` : '';
  return `<span class="${escapeHtml(classes)}"${colour} aria-hidden="true">${escapeHtml(initials(a.name))}${image}${a.kind === 'bot' ? BOT_MARK : ''}</span>`;
}

export const avatarGlobal = (a: AvatarOf, size?: 'sm' | 'md', extra?: string) => new nunjucks.runtime.SafeString(avatarHtml(a, size, extra));
