import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ConversationMember } from './conversation-member.entity';

export interface ChatReadEvent {
  companyId: number;
  conversationId: number;
  userId: number;
  fromId: number;
  toId: number;
}

/** Reading moves the member's read pointer forward only, never past the conversation's newest message. */
@Injectable()
export class ReadsService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
  ) {}

  async markRead(membership: ConversationMember, upToId: number): Promise<void> {
    const conversationId = membership.conversation.id;
    const userId = membership.user.id;
    const [row] = await this.em.getConnection().execute<{ before: string; after: string }[]>(
      `with target as (
         select least(?::bigint, coalesce((select max(id) from message where conversation_id = ?), 0)) as upto
       ), old as (
         select last_read_message_id as before from conversation_member where conversation_id = ? and user_id = ?
       )
       update conversation_member cm set last_read_message_id = greatest(cm.last_read_message_id, target.upto)
       from target, old
       where cm.conversation_id = ? and cm.user_id = ?
       returning old.before, cm.last_read_message_id as after`,
      [upToId, conversationId, conversationId, userId, conversationId, userId],
    );
    if (!row || Number(row.after) <= Number(row.before)) return;
    membership.lastReadMessageId = Number(row.after);
    this.events.emit('chat.read', {
      companyId: membership.company.id,
      conversationId,
      userId,
      fromId: Number(row.before),
      toId: Number(row.after),
    } satisfies ChatReadEvent);
  }
}
