import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { User } from '../accounts/user.entity';
import { scopedCompanyId } from '../database/company-scope';
import type { ConversationMember } from './conversation-member.entity';

export interface ChatReadEvent {
  companyId: number;
  conversationId: number;
  userId: number;
  fromId: number;
  toId: number;
}

/** Names shown in a tick's "read by" list; the rest are counted. */
const READERS_NAMED = 10;

/** Reading moves the member's read pointer forward only, never past the conversation's newest message. */
@Injectable()
export class ReadsService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
  ) {}

  async markRead(membership: Pick<ConversationMember, 'conversation' | 'user' | 'company'>, upToId: number): Promise<void> {
    const conversationId = membership.conversation.id;
    const userId = membership.user.id;
    const companyId = membership.company.id;
    const [row] = await this.em.getConnection().execute<{ before: string; after: string }[]>(
      `with target as (
         select least(?::bigint, coalesce((select max(id) from message where conversation_id = ? and company_id = ?), 0)) as upto
       ), old as (
         select last_read_message_id as before from conversation_member where conversation_id = ? and user_id = ? and company_id = ?
       )
       update conversation_member cm set last_read_message_id = greatest(cm.last_read_message_id, target.upto)
       from target, old
       where cm.conversation_id = ? and cm.user_id = ? and cm.company_id = ?
       returning old.before, cm.last_read_message_id as after`,
      [upToId, conversationId, companyId, conversationId, userId, companyId, conversationId, userId, companyId],
    );
    if (!row || Number(row.after) <= Number(row.before)) return;
    this.events.emit('chat.read', { companyId, conversationId, userId, fromId: Number(row.before), toId: Number(row.after) } satisfies ChatReadEvent);
  }

  /** Who of the other members has read a message of a conversation the user belongs to (else 404). */
  async readers(user: Pick<User, 'id'>, messageId: number): Promise<{ names: string[]; more: number; read: boolean }> {
    const rows = await this.em.getConnection().execute<{ name: string | null; has_read: boolean; visible: boolean }[]>(
      `select u.name, cm.last_read_message_id >= m.id as has_read,
              exists (select 1 from conversation_member me where me.conversation_id = m.conversation_id and me.user_id = ? and me.company_id = m.company_id) as visible
         from message m
         left join conversation_member cm on cm.conversation_id = m.conversation_id and cm.company_id = m.company_id
                                         and cm.user_id is distinct from m.author_id
         left join app_user u on u.id = cm.user_id and u.company_id = m.company_id
        where m.id = ? and m.company_id = ?
        order by u.name`,
      [user.id, messageId, scopedCompanyId(this.em)],
    );
    if (!rows.length || !rows[0].visible) throw new NotFoundException();
    const others = rows.filter((r) => r.name !== null);
    const readers = others.filter((r) => r.has_read).map((r) => r.name!);
    return { names: readers.slice(0, READERS_NAMED), more: Math.max(0, readers.length - READERS_NAMED), read: others.length > 0 && readers.length === others.length };
  }
}
