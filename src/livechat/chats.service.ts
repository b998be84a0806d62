import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { User } from '../accounts/user.entity';
import { newToken } from '../security/tokens';
import { ON_DUTY } from './consultants';
import type { LivechatSettings } from './settings.service';
import { sql } from './sql';
import type { Visitor } from './visitors.service';

export type ChatStatus = 'waiting' | 'assigned' | 'active' | 'closed';

export interface LiveChat {
  id: number;
  publicId: string;
  companyId: number;
  visitorId: number;
  visitorName: string | null;
  visitorEmail: string | null;
  visitorVerified: boolean;
  status: ChatStatus;
  consultantId: number | null;
  seq: number;
  createdAt: Date;
  lastMessageAt: Date | null;
}

/** A visitor's or a consultant's message, or a neutral line both see (authorName is then whom the visitor now talks to). */
export type Author = 'visitor' | 'consultant' | 'system';
/** A file a message carries: its URLs name the public id, never the row's. */
export interface LiveFile {
  publicId: string;
  name: string;
  size: number;
  mime: string;
  thumbnail: boolean;
  width: number | null;
  height: number | null;
}

export interface LiveMessage {
  id: number;
  seq: number;
  author: Author;
  authorName: string;
  body: string;
  createdAt: Date;
  file: LiveFile | null;
}

/** A stored upload to record with its message. */
export interface NewFile {
  name: string;
  size: number;
  mime: string;
  storageKey: string;
  thumbKey: string | null;
  width: number | null;
  height: number | null;
}

/** A chat for a consultant's panel: whose it is, and whether the visitor waits for an answer. */
export interface ChatSummary extends LiveChat {
  lastExcerpt: string | null;
  awaitingAnswer: boolean;
}

export interface LivechatMessageEvent {
  companyId: number;
  chatId: number;
  seq: number;
}

export interface LivechatChatEvent {
  companyId: number;
  chatId: number;
}

/** A message left on the offline form (or a first message nobody was there to take). */
export interface LivechatLeftMessageEvent {
  companyId: number;
  leftMessageId: number;
  visitorId: number | null;
  name: string;
  email: string;
  /** As typed (validated: 6–20 digits); empty when only an e-mail was left. */
  phone: string;
  body: string;
}

export const LOG_SIZE = 200;
export const BODY_MAX = 4000;

const CHAT_COLUMNS = `c.id, c.public_id, c.company_id, c.visitor_id, v.name as visitor_name, v.email as visitor_email, v.verified as visitor_verified, c.status, c.consultant_id,
  c.seq, c.created_at, c.last_message_at`;

interface ChatRow {
  id: number;
  public_id: string;
  company_id: number;
  visitor_id: number;
  visitor_name: string | null;
  visitor_email: string | null;
  visitor_verified: boolean;
  status: ChatStatus;
  consultant_id: number | null;
  seq: string | number;
  created_at: Date;
  last_message_at: Date | null;
}

function chatOf(r: ChatRow): LiveChat {
  return {
    id: r.id,
    publicId: r.public_id,
    companyId: r.company_id,
    visitorId: r.visitor_id,
    visitorName: r.visitor_name,
    visitorEmail: r.visitor_email,
    visitorVerified: r.visitor_verified,
    status: r.status,
    consultantId: r.consultant_id,
    seq: Number(r.seq),
    createdAt: new Date(r.created_at),
    lastMessageAt: r.last_message_at ? new Date(r.last_message_at) : null,
  };
}

/**
 * Livechat conversations and their messages. A visitor reaches a chat only through its public id together with
 * their own token; a consultant only the chats assigned to them. Anything else is a 404.
 */
@Injectable()
export class LivechatChats {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
  ) {}

  async openChatOf(visitor: Visitor): Promise<LiveChat | null> {
    const [row] = await sql<ChatRow>(
      this.em,
      `select ${CHAT_COLUMNS} from livechat_chat c join livechat_visitor v on v.id = c.visitor_id and v.company_id = c.company_id
        where c.visitor_id = ? and c.company_id = ? and c.status <> 'closed'`,
      [visitor.id, visitor.companyId],
    );
    return row ? chatOf(row) : null;
  }

  async ofVisitor(visitor: Visitor, publicId: string): Promise<LiveChat> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(publicId)) throw new NotFoundException();
    const [row] = await sql<ChatRow>(
      this.em,
      `select ${CHAT_COLUMNS} from livechat_chat c join livechat_visitor v on v.id = c.visitor_id and v.company_id = c.company_id
        where c.public_id = ? and c.visitor_id = ? and c.company_id = ?`,
      [publicId, visitor.id, visitor.companyId],
    );
    if (!row) throw new NotFoundException();
    return chatOf(row);
  }

  /** A chat of the consultant's company that is theirs now; anything else (another's, re-routed, closed) is a 404. */
  async ofConsultant(me: User, chatId: number): Promise<LiveChat> {
    const [row] = await sql<ChatRow>(
      this.em,
      `select ${CHAT_COLUMNS} from livechat_chat c join livechat_visitor v on v.id = c.visitor_id and v.company_id = c.company_id
        where c.id = ? and c.company_id = ? and c.consultant_id = ? and c.status in ('assigned', 'active')`,
      [chatId, me.company.id, me.id],
    );
    if (!row) throw new NotFoundException();
    return chatOf(row);
  }

  async byId(companyId: number, chatId: number): Promise<LiveChat | null> {
    const [row] = await sql<ChatRow>(
      this.em,
      `select ${CHAT_COLUMNS} from livechat_chat c join livechat_visitor v on v.id = c.visitor_id and v.company_id = c.company_id where c.id = ? and c.company_id = ?`,
      [chatId, companyId],
    );
    return row ? chatOf(row) : null;
  }

  /** The consultant's open chats, the newest activity first. */
  async ofConsultantAll(companyId: number, consultantId: number): Promise<ChatSummary[]> {
    const rows = await sql<ChatRow & { last_excerpt: string | null; last_author: string | null }>(
      this.em,
      `select ${CHAT_COLUMNS}, m.body as last_excerpt, m.author as last_author
         from livechat_chat c join livechat_visitor v on v.id = c.visitor_id and v.company_id = c.company_id
         left join lateral (select left(body, 80) as body, author from livechat_message where chat_id = c.id and company_id = c.company_id and author <> 'system' order by seq desc limit 1) m on true
        where c.company_id = ? and c.consultant_id = ? and c.status in ('assigned', 'active')
        order by coalesce(c.last_message_at, c.created_at) desc`,
      [companyId, consultantId],
    );
    return rows.map((r) => ({ ...chatOf(r), lastExcerpt: r.last_excerpt, awaitingAnswer: r.last_author === 'visitor' }));
  }

  async messages(chat: LiveChat, afterSeq = 0, limit: number | null = LOG_SIZE): Promise<LiveMessage[]> {
    const rows = await sql<{
      id: string;
      seq: string;
      author: Author;
      author_name: string;
      body: string;
      created_at: Date;
      file_id: string | null;
      file_name: string | null;
      file_size: string | null;
      file_mime: string | null;
      file_thumb: boolean | null;
      file_width: number | null;
      file_height: number | null;
    }>(
      this.em,
      `select * from (select m.id, m.seq, m.author, m.author_name, m.body, m.created_at,
                             f.public_id as file_id, f.name as file_name, f.size as file_size, f.mime as file_mime,
                             f.thumb_key is not null as file_thumb, f.width as file_width, f.height as file_height
                        from livechat_message m left join livechat_file f on f.message_id = m.id and f.company_id = m.company_id
                       where m.chat_id = ? and m.company_id = ? and m.seq > ? order by m.seq desc ${limit === null ? '' : `limit ${Math.trunc(limit)}`}) m order by seq`,
      [chat.id, chat.companyId, afterSeq],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      seq: Number(r.seq),
      author: r.author,
      authorName: r.author_name,
      body: r.body,
      createdAt: new Date(r.created_at),
      file: r.file_id
        ? {
            publicId: r.file_id,
            name: r.file_name ?? '',
            size: Number(r.file_size),
            mime: r.file_mime ?? '',
            thumbnail: !!r.file_thumb,
            width: r.file_width,
            height: r.file_height,
          }
        : null,
    }));
  }

  async message(chat: LiveChat, seq: number): Promise<LiveMessage | null> {
    return (await this.messages(chat, seq - 1)).find((m) => m.seq === seq) ?? null;
  }

  /** Someone is there to answer (whether or not they are free): otherwise the visitor gets the offline form. */
  async onDuty(companyId: number): Promise<boolean> {
    const [row] = await sql<{ n: number }>(this.em, `select count(*)::int as n from app_user u where u.company_id = ? and ${ON_DUTY}`, [companyId]);
    return row.n > 0;
  }

  /** 1 for the chat next in line; null for a chat that is not waiting. */
  async queuePosition(chat: LiveChat): Promise<number | null> {
    const [row] = await sql<{ n: number | null }>(
      this.em,
      `select case when me.status = 'waiting' then
                (select count(*)::int from livechat_chat o where o.company_id = me.company_id and o.status = 'waiting'
                  and (o.queued_at, o.id) <= (me.queued_at, me.id)) end as n
         from livechat_chat me where me.id = ? and me.company_id = ?`,
      [chat.id, chat.companyId],
    );
    return row?.n ?? null;
  }

  /** The visitor's chat with its first message; a second start while one is open adds to the open one. */
  async start(settings: LivechatSettings, visitor: Visitor, clientId: string, body: string): Promise<LiveChat> {
    const existing = await this.openChatOf(visitor);
    if (existing) {
      await this.send(existing, { author: 'visitor', name: visitor.name ?? '' }, clientId, body);
      return existing;
    }
    const chat = await this.em.transactional(async (em) => {
      const [row] = await sql<{ id: number }>(
        em,
        `insert into livechat_chat (public_id, company_id, visitor_id) values (?, ?, ?)
         on conflict (visitor_id) where status <> 'closed' do nothing returning id`,
        [newToken(18), settings.companyId, visitor.id],
      );
      return row ? ((await this.byIdIn(em, settings.companyId, row.id)) as LiveChat) : null;
    });
    // Two first messages at once: the second joins the chat the first opened.
    const opened = chat ?? (await this.openChatOf(visitor));
    if (!opened) throw new NotFoundException();
    await this.send(opened, { author: 'visitor', name: visitor.name ?? '' }, clientId, body);
    if (chat) this.events.emit('livechat.chat.started', { companyId: chat.companyId, chatId: chat.id } satisfies LivechatChatEvent);
    return opened;
  }

  private async byIdIn(em: EntityManager, companyId: number, chatId: number): Promise<LiveChat | null> {
    const [row] = await sql<ChatRow>(
      em,
      `select ${CHAT_COLUMNS} from livechat_chat c join livechat_visitor v on v.id = c.visitor_id and v.company_id = c.company_id where c.id = ? and c.company_id = ?`,
      [chatId, companyId],
    );
    return row ? chatOf(row) : null;
  }

  /**
   * A message, stored once per client id (a retry returns the first). A consultant's answer to a chat assigned to
   * them accepts it: it stops moving on.
   */
  async send(
    chat: LiveChat,
    from: { author: 'visitor' | 'system'; name: string } | { author: 'consultant'; name: string; consultantId: number },
    clientId: string,
    body: string,
    file?: NewFile,
  ): Promise<{ seq: number; created: boolean }> {
    const consultantId = from.author === 'consultant' ? from.consultantId : null;
    const result = await this.em.transactional(async (em) => {
      const [known] = await sql<{ seq: string }>(em, `select seq from livechat_message where chat_id = ? and company_id = ? and client_id = ?`, [
        chat.id,
        chat.companyId,
        clientId,
      ]);
      if (known) return { seq: Number(known.seq), created: false };
      const [bumped] = await sql<{ seq: string }>(
        em,
        `update livechat_chat set seq = seq + 1, last_message_at = now(),
                status = case when ?::int is not null and consultant_id = ?::int and status = 'assigned' then 'active' else status end,
                answer_deadline = case when ?::int is not null and consultant_id = ?::int then null else answer_deadline end,
                answered_at = case when ?::int is not null then coalesce(answered_at, now()) else answered_at end,
                handled_by = case when ?::int is null or ?::int = any(handled_by) then handled_by else array_append(handled_by, ?::int) end
          where id = ? and company_id = ? and status <> 'closed' and (?::int is null or consultant_id = ?::int) returning seq`,
        [...Array(8).fill(consultantId), chat.id, chat.companyId, consultantId, consultantId],
      );
      if (!bumped) throw new NotFoundException();
      const [message] = await sql<{ id: string }>(
        em,
        `insert into livechat_message (company_id, chat_id, seq, author, consultant_id, author_name, client_id, body) values (?, ?, ?, ?, ?, ?, ?, ?) returning id`,
        [chat.companyId, chat.id, bumped.seq, from.author, from.author === 'consultant' ? from.consultantId : null, from.name.slice(0, 120), clientId, body],
      );
      if (file)
        await sql(
          em,
          `insert into livechat_file (public_id, company_id, chat_id, message_id, storage_key, thumb_key, name, size, mime, width, height)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [newToken(18), chat.companyId, chat.id, message.id, file.storageKey, file.thumbKey, file.name, file.size, file.mime, file.width, file.height],
        );
      return { seq: Number(bumped.seq), created: true };
    });
    if (result.created) this.events.emit('livechat.message', { companyId: chat.companyId, chatId: chat.id, seq: result.seq } satisfies LivechatMessageEvent);
    return result;
  }

  /** Closed by its consultant: out of their count at once (the queue moves), and the visitor may rate it. */
  async close(chat: LiveChat): Promise<void> {
    const [row] = await sql<{ id: number }>(
      this.em,
      `update livechat_chat set status = 'closed', closed_at = now(), answer_deadline = null
        where id = ? and company_id = ? and status <> 'closed' returning id`,
      [chat.id, chat.companyId],
    );
    if (row) this.events.emit('livechat.chat.closed', { companyId: chat.companyId, chatId: chat.id } satisfies LivechatChatEvent);
  }

  /** A visitor's 1–5 (and a comment) for a closed chat of theirs, once. */
  async rate(chat: LiveChat, rating: number, comment: string): Promise<boolean> {
    const rows = await sql(
      this.em,
      `update livechat_chat set rating = ?, rating_comment = ? where id = ? and company_id = ? and status = 'closed' and rating is null returning id`,
      [rating, comment || null, chat.id, chat.companyId],
    );
    return rows.length > 0;
  }

  /** The messages visitors left, the newest first (the retention setting deletes the old ones). */
  async leftMessages(companyId: number): Promise<{ name: string; email: string; phone: string; body: string; createdAt: Date }[]> {
    const rows = await sql<{ name: string; email: string; phone: string; body: string; created_at: Date }>(
      this.em,
      `select name, email, phone, body, created_at from livechat_left_message where company_id = ? order by created_at desc, id desc limit 500`,
      [companyId],
    );
    return rows.map((r) => ({ name: r.name, email: r.email, phone: r.phone, body: r.body, createdAt: new Date(r.created_at) }));
  }

  /**
   * What a visitor leaves when nobody is on duty or out of hours: kept for the company, and announced as
   * `livechat.left-message` (the seam for Callback: a phone number left here becomes a callback request).
   */
  async leaveMessage(settings: LivechatSettings, visitor: Visitor | null, input: { name: string; email: string; phone?: string; body: string }): Promise<void> {
    const [row] = await sql<{ id: number }>(
      this.em,
      `insert into livechat_left_message (company_id, visitor_id, name, email, phone, body) values (?, ?, ?, ?, ?, ?) returning id`,
      [settings.companyId, visitor?.id ?? null, input.name, input.email, input.phone ?? '', input.body],
    );
    this.events.emit('livechat.left-message', {
      companyId: settings.companyId,
      leftMessageId: row.id,
      visitorId: visitor?.id ?? null,
      name: input.name,
      email: input.email,
      phone: input.phone ?? '',
      body: input.body,
    } satisfies LivechatLeftMessageEvent);
  }
}

export interface LivechatLeftMessageEvent {
  companyId: number;
  leftMessageId: number;
  visitorId: number | null;
  name: string;
  email: string;
  /** As typed; empty when only an e-mail was left. */
  phone: string;
  body: string;
}
