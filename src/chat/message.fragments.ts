import { Injectable } from '@nestjs/common';
import type { Locale } from '../web/i18n/translator';
import { ChatRenderer } from './chat.renderer';
import type { MessageRecord, MessageView } from './message.view';
import { messageView } from './message.view';
import { ObjectLinks } from './object-links';
import { NOBODY_READ, type ReadWatermark } from './read-watermark';

export interface MessageFragment {
  id: number;
  html: string;
}

/**
 * The one place that turns messages into HTML: the page, an HTTP or socket reply, an upload's reply, a push
 * and a catch-up all come through here, rendered from chat/_message.njk once per language for every viewer.
 */
@Injectable()
export class MessageFragments {
  constructor(
    private readonly renderer: ChatRenderer,
    private readonly links: ObjectLinks,
  ) {}

  /** Each message in one language, with its links to CRM objects as the current company sees them. */
  async render(records: MessageRecord[], locale: Locale, read: ReadWatermark): Promise<MessageFragment[]> {
    return (await this.inLocales(records, [locale], read)).get(locale)!;
  }

  /** The same messages in several languages, for a push: their links are looked up once. */
  async inLocales(records: MessageRecord[], locales: readonly Locale[], read: ReadWatermark): Promise<Map<Locale, MessageFragment[]>> {
    const objects = await this.links.forBodies(records.filter((r) => !r.deletedAt).map((r) => r.body));
    const views = records.map((record) => messageView(record, read, objects));
    return new Map(locales.map((locale) => [locale, this.html(views, locale)] as const));
  }

  /**
   * Messages as someone outside the company sees them (the operator's support team in a Help conversation):
   * links to the company's CRM records stay plain text, as nothing of the company's CRM may show.
   */
  forOutsiders(records: MessageRecord[], locale: Locale): MessageFragment[] {
    return this.html(
      records.map((record) => messageView(record, NOBODY_READ, new Map())),
      locale,
    );
  }

  private html(views: MessageView[], locale: Locale): MessageFragment[] {
    return views.map((m) => ({ id: m.id, html: this.renderer.render('chat/_message.njk', locale, { m }).trim() }));
  }

  /**
   * A new message, read by nobody yet, as its sender's answer and its push both need it: rendered once per
   * language, whichever of the two asks first, and forgotten once the other has taken it.
   */
  async newMessage(record: MessageRecord, locales: readonly Locale[]): Promise<Map<Locale, MessageFragment>> {
    const key = (locale: Locale) => `${record.id}:${record.seq}:${locale}`;
    const missing = locales.filter((locale) => !this.recent.has(key(locale)));
    const rendered = missing.length ? await this.inLocales([record], missing, NOBODY_READ) : new Map<Locale, MessageFragment[]>();
    const result = new Map<Locale, MessageFragment>();
    for (const locale of locales) {
      const kept = this.recent.get(key(locale));
      if (kept) {
        this.recent.delete(key(locale));
        result.set(locale, kept);
      } else {
        const [fragment] = rendered.get(locale)!;
        this.remember(key(locale), fragment);
        result.set(locale, fragment);
      }
    }
    return result;
  }

  private readonly recent = new Map<string, MessageFragment>();

  private remember(key: string, fragment: MessageFragment): void {
    this.recent.set(key, fragment);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value!);
  }
}

/** Fragments kept for their push: a few hundred milliseconds' worth of messages under load. */
const RECENT = 256;

export const joined = (fragments: MessageFragment[]) => fragments.map((f) => f.html).join('');
