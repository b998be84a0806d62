/** A message as a page shows it. */
export interface Shown {
  domId: string;
  id: number;
  seq: number;
  text: string;
  deleted: boolean;
  edited: boolean;
}

const MESSAGE = /<li id="(m-[^"]+)" class="msg( deleted)?" data-message-id="(\d+)" data-seq="(\d+)"[\s\S]*?\n<\/li>/g;

const unescape = (html: string) =>
  html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The message elements of an HTML answer or push, as a page reads them. */
export function messagesIn(html: string): Shown[] {
  return [...html.matchAll(MESSAGE)].map(([whole, domId, deleted, id, seq]) => ({
    domId,
    id: Number(id),
    seq: Number(seq),
    deleted: !!deleted,
    edited: whole.includes('class="edited"'),
    text: deleted ? '' : unescape(/<div class="msg-body"[^>]*>([\s\S]*?)<\/div>/.exec(whole)?.[1] ?? ''),
  }));
}

/**
 * What a page shows of one conversation, kept by the page's rule: by element id, a newer copy replaces an older
 * one and never the other way round (public/js/chat/messages.js).
 */
export class ConversationModel {
  readonly messages = new Map<string, Shown>();

  apply(html: string): void {
    for (const shown of messagesIn(html)) {
      const current = this.messages.get(shown.domId);
      if (!current || current.seq < shown.seq) this.messages.set(shown.domId, shown);
    }
  }

  /** In id order, as the list shows them. */
  list(): Shown[] {
    return [...this.messages.values()].sort((a, b) => a.id - b.id);
  }
}
