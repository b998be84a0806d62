import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NotFoundException } from '@nestjs/common';
import { scopedCompanyId } from '../database/company-scope';
import { prepared } from '../database/prepared';
import { PresenceService } from '../presence/presence.service';
import { LimitsService } from '../security/limits.service';
import type { MessageKey } from '../web/i18n/en';
import { newMessage, readMessage } from './message.form';
import type { MessageRecord } from './message.view';
import { MessagesService } from './messages.service';

export type Refusal = { ok: false; status: 409 | 422 | 429; error: MessageKey; retryAfterSeconds?: number };
export type SendOutcome = { ok: true; record: MessageRecord; created: boolean } | Refusal;

/**
 * A member's send, the same from the composer's socket and from its plain form: a member of the conversation
 * (else 404), not Offline, a valid message, within the limits. What is refused keeps nothing.
 */
@Injectable()
export class MessageSending {
  constructor(
    private readonly em: EntityManager,
    private readonly messages: MessagesService,
    private readonly presence: PresenceService,
    private readonly limits: LimitsService,
  ) {}

  /** `socketId`: the page's socket it came over, which has its copy from the acknowledgement. */
  async send(userId: number, conversationId: number, input: unknown, socketId?: string): Promise<SendOutcome> {
    const message = readMessage(newMessage, input);
    // Both asked at once: one round trip's wait, not two (an outsider's attempt counts toward its own limit).
    const [member, limited] = await Promise.all([this.member(userId, conversationId), 'error' in message ? undefined : this.limited(userId)]);
    if (member.offline) return { ok: false, status: 409, error: 'presence.offlineChat' };
    if ('error' in message) return { ok: false, status: 422, error: message.error };
    if (limited) return limited;
    const { clientId, body, replyTo } = message.data;
    const to = { id: conversationId, companyId: member.companyId };
    return { ok: true, ...(await this.messages.send({ user: { id: userId }, socketId }, to, clientId, body, replyTo)) };
  }

  /** Membership and the Offline status in one plain statement: every send passes here. Not a member: 404. */
  private async member(userId: number, conversationId: number): Promise<{ companyId: number; offline: boolean }> {
    if (!Number.isSafeInteger(conversationId)) throw new NotFoundException();
    const [row] = await prepared<{ company_id: number; offline: boolean }>(
      this.em,
      'sender',
      `select cm.company_id, coalesce(p.status = 'offline', false) as offline
         from conversation_member cm left join presence p on p.user_id = cm.user_id and p.company_id = cm.company_id
        where cm.conversation_id = ? and cm.user_id = ? and cm.company_id = ?`,
      [conversationId, userId, scopedCompanyId(this.em)],
    );
    if (!row) throw new NotFoundException();
    return { companyId: row.company_id, offline: row.offline };
  }

  /** Offline is chosen to be left alone, and to leave the chat alone. */
  async refusal(userId: number): Promise<Refusal | undefined> {
    if ((await this.presence.of(userId)).status === 'offline') return { ok: false, status: 409, error: 'presence.offlineChat' };
    return undefined;
  }

  /** Sends, edits and deletions count toward one limit per user. */
  async limited(userId: number): Promise<Refusal | undefined> {
    const limit = await this.limits.consume('messages', userId);
    return limit.allowed ? undefined : { ok: false, status: 429, error: 'chat.slowDown', retryAfterSeconds: limit.retryAfterSeconds };
  }
}
