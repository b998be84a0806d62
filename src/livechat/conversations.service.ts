import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NotFoundException } from '@nestjs/common';
import type { User } from '../accounts/user.entity';
import { ChatStatus, LiveChat, LiveMessage, LivechatChats } from './chats.service';
import { ConversationFilters, dayStart, ListState } from './conversations.filters';
import { sql } from './sql';

export const PAGE_SIZE = 50;

export interface ConversationRow {
  id: number;
  createdAt: Date;
  closedAt: Date | null;
  state: ListState;
  visitorName: string | null;
  visitorEmail: string | null;
  consultantName: string | null;
  rating: number | null;
  ratingComment: string | null;
  messages: number;
}

interface Row {
  id: number;
  created_at: Date;
  closed_at: Date | null;
  status: ChatStatus;
  answered_at: Date | null;
  visitor_name: string | null;
  visitor_email: string | null;
  consultant_name: string | null;
  rating: number | null;
  rating_comment: string | null;
  messages: string | number;
}

/** Directors and admins see every chat of their company; a consultant only those they handled (or hold now). */
export function seesAll(user: User): boolean {
  return user.role === 'admin' || user.role === 'director';
}

export function stateOf(status: ChatStatus, answeredAt: Date | null): ListState {
  if (status === 'waiting') return 'waiting';
  if (status !== 'closed') return 'open';
  return answeredAt ? 'closed' : 'missed';
}

const STATES: Record<ListState, string> = {
  open: `c.status in ('assigned', 'active')`,
  waiting: `c.status = 'waiting'`,
  missed: `c.status = 'closed' and c.answered_at is null`,
  closed: `c.status = 'closed' and c.answered_at is not null`,
};

/**
 * "Livechat conversations": every chat of the company, newest first, keyset-paged by id (ids rise with time),
 * filtered by state (open, waiting, missed: ended without a consultant's answer, closed), consultant (who held or
 * handled it), the day it began and the rating; and each one's transcript.
 */
@Injectable()
export class LivechatConversations {
  constructor(
    private readonly em: EntityManager,
    private readonly chats: LivechatChats,
  ) {}

  async list(viewer: User, filters: ConversationFilters, before?: number, limit = PAGE_SIZE): Promise<ConversationRow[]> {
    const where = ['c.company_id = ?'];
    const params: unknown[] = [viewer.company.id];
    if (!seesAll(viewer)) {
      where.push('(c.consultant_id = ? or c.handled_by @> array[?::int])');
      params.push(viewer.id, viewer.id);
    }
    if (filters.state) where.push(STATES[filters.state]);
    if (filters.consultant) {
      where.push('(c.consultant_id = ? or c.handled_by @> array[?::int])');
      params.push(filters.consultant, filters.consultant);
    }
    if (filters.from) {
      where.push('c.created_at >= ?');
      params.push(dayStart(filters.from));
    }
    if (filters.to) {
      where.push('c.created_at < ?');
      params.push(dayStart(filters.to, 1));
    }
    if (filters.rating === 'none') where.push('c.rating is null');
    else if (filters.rating) {
      where.push('c.rating = ?');
      params.push(Number(filters.rating));
    }
    if (before) {
      where.push('c.id < ?');
      params.push(before);
    }
    const rows = await sql<Row>(
      this.em,
      `select c.id, c.created_at, c.closed_at, c.status, c.answered_at, v.name as visitor_name, v.email as visitor_email,
              coalesce(u.name, last_hand.name) as consultant_name, c.rating, c.rating_comment,
              (select count(*) from livechat_message m where m.chat_id = c.id and m.company_id = c.company_id and m.author <> 'system') as messages
         from livechat_chat c join livechat_visitor v on v.id = c.visitor_id and v.company_id = c.company_id
         left join app_user u on u.id = c.consultant_id and u.company_id = c.company_id
         left join lateral (select h.name from app_user h where h.company_id = c.company_id and h.id = c.handled_by[array_length(c.handled_by, 1)]) last_hand on true
        where ${where.join(' and ')}
        order by c.id desc limit ${Math.min(Math.max(1, Math.trunc(limit)), 1000)}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      createdAt: new Date(r.created_at),
      closedAt: r.closed_at ? new Date(r.closed_at) : null,
      state: stateOf(r.status, r.answered_at),
      visitorName: r.visitor_name,
      visitorEmail: r.visitor_email,
      consultantName: r.consultant_name,
      rating: r.rating,
      ratingComment: r.rating_comment,
      messages: Number(r.messages),
    }));
  }

  /**
   * A chat the viewer may read: any of the company's for a director or an admin; for a consultant one they hold
   * or handled, or an earlier chat of the visitor they are talking to now. Anything else is a 404.
   */
  async readable(viewer: User, chatId: number): Promise<LiveChat> {
    const chat = await this.chats.byId(viewer.company.id, chatId);
    if (!chat) throw new NotFoundException();
    if (seesAll(viewer)) return chat;
    const [row] = await sql(
      this.em,
      `select 1 from livechat_chat c where c.id = ? and c.company_id = ?
          and (c.consultant_id = ? or c.handled_by @> array[?::int]
               or exists (select 1 from livechat_chat o where o.visitor_id = c.visitor_id and o.company_id = c.company_id
                           and o.consultant_id = ? and o.status in ('assigned', 'active')))`,
      [chatId, viewer.company.id, viewer.id, viewer.id, viewer.id],
    );
    if (!row) throw new NotFoundException();
    return chat;
  }

  /** The whole conversation in order, the neutral lines included (a chat is bounded by the visitor limits). */
  async transcript(
    chat: LiveChat,
  ): Promise<{ messages: LiveMessage[]; closedAt: Date | null; rating: number | null; ratingComment: string | null; state: ListState }> {
    const messages = await this.chats.messages(chat, 0, 10_000);
    const [c] = await sql<{ closed_at: Date | null; rating: number | null; rating_comment: string | null; status: ChatStatus; answered_at: Date | null }>(
      this.em,
      `select closed_at, rating, rating_comment, status, answered_at from livechat_chat where id = ? and company_id = ?`,
      [chat.id, chat.companyId],
    );
    return {
      messages,
      closedAt: c.closed_at ? new Date(c.closed_at) : null,
      rating: c.rating,
      ratingComment: c.rating_comment,
      state: stateOf(c.status, c.answered_at),
    };
  }

  /** Who may be chosen in the consultant filter: the company's Livechat users (and whoever handled a chat once). */
  async consultants(viewer: User): Promise<{ id: number; name: string }[]> {
    return sql<{ id: number; name: string }>(
      this.em,
      `select u.id, u.name from app_user u where u.company_id = ?
          and (u.livechat_configured or exists (select 1 from livechat_chat c where c.company_id = u.company_id and c.handled_by @> array[u.id]))
        order by u.name, u.id`,
      [viewer.company.id],
    );
  }
}
