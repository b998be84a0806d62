import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import type { User } from '../accounts/user.entity';
import type { MessageKey } from '../web/i18n/en';
import type { LiveChat, LivechatMessageEvent } from './chats.service';
import { ON_DUTY } from './consultants';
import { LOCK_SPACE } from './routing.service';
import { sql } from './sql';

export interface Candidate {
  id: number;
  name: string;
  open: number;
}

export interface Transfer {
  fromName: string;
  toName: string;
  /** A director or admin who moved a chat that was not theirs; empty when its consultant handed it on. */
  byName: string;
  note: string;
  createdAt: Date;
}

export interface LivechatTransferred {
  companyId: number;
  chatId: number;
  /** The consultant who held it; null when it was waiting in the queue. */
  fromId: number | null;
  toId: number;
  toName: string;
  /** Moved by a director or an admin, not by the consultant who held it. */
  byOther: boolean;
}

export type TransferRefusal = { error: MessageKey; name?: string; cap?: number };

const OPEN = `('assigned', 'active')`;

/**
 * A consultant hands their chat to a colleague with a note. Only to someone who could take a routed chat now:
 * flagged for Livechat, in a Livechat status with a page open, below the company's cap; so a transfer never
 * parks a visitor with someone away or overloaded. It takes the routing lock of the company, so a routing pass
 * cannot fill the colleague's last place meanwhile. The colleague gets it as a routed chat (answer to accept, or
 * it moves on after the set seconds); the visitor sees one neutral line; the note is for the consultants only.
 */
@Injectable()
export class LivechatTransfers {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
  ) {}

  /** Colleagues who may take a chat now, the least busy first (not `exclude`: the one holding it). */
  async candidates(me: User, exclude: number | null = me.id): Promise<Candidate[]> {
    const rows = await sql<{ id: number; name: string; open: number }>(
      this.em,
      `select u.id, u.name, open.n as open from app_user u
         cross join lateral (select count(*)::int as n from livechat_chat o where o.consultant_id = u.id and o.company_id = u.company_id and o.status in ${OPEN}) open
        where u.company_id = ? and u.id is distinct from ?::int and ${ON_DUTY}
          and open.n < coalesce((select max_chats from livechat_settings s where s.company_id = u.company_id), 3)
        order by open.n, u.name, u.id`,
      [me.company.id, exclude],
    );
    return rows;
  }

  async of(chat: LiveChat): Promise<Transfer[]> {
    const rows = await sql<{ from_name: string; to_name: string; by_name: string; note: string; created_at: Date }>(
      this.em,
      `select from_name, to_name, by_name, note, created_at from livechat_transfer where chat_id = ? and company_id = ? order by created_at, id`,
      [chat.id, chat.companyId],
    );
    return rows.map((r) => ({ fromName: r.from_name, toName: r.to_name, byName: r.by_name, note: r.note, createdAt: new Date(r.created_at) }));
  }

  /**
   * `own`: the consultant's own open chat. `any`: a director's or an admin's move of any chat of the company that
   * is not closed (one waiting in the queue too); the transfer then names who made it.
   */
  async transfer(me: User, chat: LiveChat, toId: number, note: string, scope: 'own' | 'any' = 'own'): Promise<TransferRefusal | null> {
    const companyId = chat.companyId;
    const done = await this.em.transactional(async (em): Promise<TransferRefusal | { seq: number; fromId: number | null; toId: number; toName: string }> => {
      await sql(em, `select pg_advisory_xact_lock(?, ?)`, [LOCK_SPACE, companyId]);
      const [held] = await sql<{ consultant_id: number | null; name: string | null }>(
        em,
        `select c.consultant_id, u.name from livechat_chat c left join app_user u on u.id = c.consultant_id and u.company_id = c.company_id
          where c.id = ? and c.company_id = ? and ${scope === 'own' ? `c.consultant_id = ? and c.status in ${OPEN}` : `c.status <> 'closed'`}
          for update of c`,
        scope === 'own' ? [chat.id, companyId, me.id] : [chat.id, companyId],
      );
      if (!held) throw new NotFoundException();
      const fromId = held.consultant_id;
      const [to] = await sql<{ id: number; name: string; on_duty: boolean; open: number; cap: number }>(
        em,
        `select u.id, u.name, (${ON_DUTY}) as on_duty,
                (select count(*)::int from livechat_chat o where o.consultant_id = u.id and o.company_id = u.company_id and o.status in ${OPEN}) as open,
                coalesce((select max_chats from livechat_settings s where s.company_id = u.company_id), 3) as cap
           from app_user u where u.id = ? and u.company_id = ? and u.active and u.livechat_configured`,
        [toId, companyId],
      );
      if (!to || (scope === 'own' && to.id === me.id)) return { error: 'livechat.transferNobody' };
      if (to.id === fromId) return { error: 'livechat.transferSame', name: to.name };
      if (!to.on_duty) return { error: 'livechat.transferOffDuty', name: to.name };
      if (to.open >= to.cap) return { error: 'livechat.transferAtCap', name: to.name, cap: to.cap };
      const [bumped] = await sql<{ seq: string }>(
        em,
        `update livechat_chat set consultant_id = ?, status = 'assigned', assigned_at = now(), seq = seq + 1, last_message_at = now(),
                answer_deadline = now() + make_interval(secs => coalesce((select reroute_seconds from livechat_settings s where s.company_id = ?), 60)),
                handled_by = (select array_agg(distinct h) from unnest(handled_by || array[?::int, ?::int]) h where h is not null)
          where id = ? and company_id = ? returning seq`,
        [to.id, companyId, fromId, to.id, chat.id, companyId],
      );
      await sql(
        em,
        `insert into livechat_transfer (company_id, chat_id, from_user_id, to_user_id, from_name, to_name, by_user_id, by_name, note) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          companyId,
          chat.id,
          fromId,
          to.id,
          (held.name ?? '').slice(0, 120),
          to.name.slice(0, 120),
          fromId === me.id ? null : me.id,
          fromId === me.id ? '' : me.name.slice(0, 120),
          note,
        ],
      );
      // The visitor's only sign of it: "You are now talking to …", in the chat's own sequence.
      await sql(em, `insert into livechat_message (company_id, chat_id, seq, author, author_name, client_id, body) values (?, ?, ?, 'system', ?, ?, '')`, [
        companyId,
        chat.id,
        bumped.seq,
        to.name.slice(0, 120),
        randomUUID(),
      ]);
      await sql(
        em,
        `insert into livechat_consultant (user_id, company_id, last_assigned_at) values (?, ?, clock_timestamp())
         on conflict (user_id) do update set last_assigned_at = excluded.last_assigned_at`,
        [to.id, companyId],
      );
      return { seq: Number(bumped.seq), fromId, toId: to.id, toName: to.name };
    });
    if ('error' in done) return done as TransferRefusal;
    this.events.emit('livechat.transferred', {
      companyId,
      chatId: chat.id,
      fromId: done.fromId,
      toId: done.toId,
      toName: done.toName,
      byOther: done.fromId !== me.id,
    } satisfies LivechatTransferred);
    this.events.emit('livechat.message', { companyId, chatId: chat.id, seq: done.seq } satisfies LivechatMessageEvent);
    return null;
  }
}
