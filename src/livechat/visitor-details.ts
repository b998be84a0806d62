import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { browserOf } from './browser';
import type { ChatStatus, LiveChat } from './chats.service';
import type { ListState } from './conversations.filters';
import { stateOf } from './conversations.service';
import { sql } from './sql';
import type { Visitor } from './visitors.service';

export interface VisitorDetails {
  chatId: number;
  name: string | null;
  email: string | null;
  /** The e-mail came signed by the website (HMAC with the widget's secret), not only typed by the visitor. */
  verified: boolean;
  pageUrl: string | null;
  pageTitle: string | null;
  pageAt: Date | null;
  referrer: string | null;
  browser: string | null;
  earlier: { id: number; createdAt: Date; state: ListState; rating: number | null }[];
}

export interface PageReport {
  url: string;
  title: string;
  referrer: string;
}

export interface LivechatVisitorPage {
  companyId: number;
  visitorId: number;
}

/**
 * What a consultant knows of the visitor of a chat: what they gave, the page of the website they are on (the
 * widget reports it as they move), where they came from, their browser, and their earlier chats.
 */
@Injectable()
export class VisitorDetailsService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
  ) {}

  async of(chat: LiveChat): Promise<VisitorDetails> {
    const [v] = await sql<{
      name: string | null;
      email: string | null;
      verified: boolean;
      page_url: string | null;
      page_title: string | null;
      page_at: Date | null;
      referrer: string | null;
      user_agent: string | null;
    }>(this.em, `select name, email, verified, page_url, page_title, page_at, referrer, user_agent from livechat_visitor where id = ? and company_id = ?`, [
      chat.visitorId,
      chat.companyId,
    ]);
    const earlier = await sql<{ id: number; created_at: Date; status: ChatStatus; answered_at: Date | null; rating: number | null }>(
      this.em,
      `select id, created_at, status, answered_at, rating from livechat_chat where visitor_id = ? and company_id = ? and id <> ? order by created_at desc, id desc limit 20`,
      [chat.visitorId, chat.companyId, chat.id],
    );
    return {
      chatId: chat.id,
      name: v?.name ?? null,
      email: v?.email ?? null,
      verified: !!v?.verified,
      pageUrl: v?.page_url ?? null,
      pageTitle: v?.page_title ?? null,
      pageAt: v?.page_at ? new Date(v.page_at) : null,
      referrer: v?.referrer ?? null,
      browser: browserOf(v?.user_agent),
      earlier: earlier.map((r) => ({ id: r.id, createdAt: new Date(r.created_at), state: stateOf(r.status, r.answered_at), rating: r.rating })),
    };
  }

  /**
   * The page the visitor's widget reports. A referrer from the website itself (a click from one of its pages to
   * the next) keeps the one they came from; a report that changes nothing tells nobody.
   */
  async reportPage(visitor: Visitor, page: PageReport, userAgent: string): Promise<void> {
    const external = page.referrer && new URL(page.referrer).origin !== new URL(page.url).origin ? page.referrer : null;
    const changed = await sql(
      this.em,
      `update livechat_visitor set page_url = ?, page_title = ?, page_at = now(), referrer = coalesce(?, referrer), user_agent = ?
        where id = ? and company_id = ?
          and (page_url is distinct from ? or page_title is distinct from ? or (?::text is not null and referrer is distinct from ?) or user_agent is distinct from ?)
        returning id`,
      [page.url, page.title, external, userAgent, visitor.id, visitor.companyId, page.url, page.title, external, external, userAgent],
    );
    if (changed.length) this.events.emit('livechat.visitor.page', { companyId: visitor.companyId, visitorId: visitor.id } satisfies LivechatVisitorPage);
  }
}
