import type { Translate } from '../web/i18n/translator';
import type { LiveChat, LiveMessage } from './chats.service';

/** A moment as the visitor reads it: their language, their time zone (or the widget's). */
export function stamp(locale: string, zone: string): (at: Date) => string {
  const format = new Intl.DateTimeFormat(locale === 'pl' ? 'pl-PL' : 'en-GB', { dateStyle: 'short', timeStyle: 'short', timeZone: zone });
  return (at) => format.format(at);
}

/** The conversation as plain text, one message a paragraph: what the visitor keeps. */
export function textTranscript(t: Translate, title: string, chat: LiveChat, messages: LiveMessage[], when: (at: Date) => string): string {
  const lines = [t('livechat.visitorTranscriptTitle', { title }), when(chat.createdAt), ''];
  for (const m of messages) {
    if (m.author === 'system') {
      lines.push(`[${when(m.createdAt)}] ${t('livechat.nowTalkingTo', { name: m.authorName })}`, '');
      continue;
    }
    const who = m.authorName || t('livechat.visitor');
    const body = m.file ? t('livechat.fileLine', { name: m.file.name }) : m.body;
    lines.push(`[${when(m.createdAt)}] ${who}:`, ...body.split(/\r?\n/).map((l) => `  ${l}`), '');
  }
  return lines.join('\r\n');
}

/** The transcript's file name: the day the chat began, nothing of anyone's name. */
export function transcriptName(chat: LiveChat, ext: 'txt' | 'html'): string {
  return `chat-${chat.createdAt.toISOString().slice(0, 10)}.${ext}`;
}
