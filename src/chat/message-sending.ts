import { Injectable } from '@nestjs/common';
import { PresenceService } from '../presence/presence.service';
import { LimitsService } from '../security/limits.service';
import type { MessageKey } from '../web/i18n/en';
import { ConversationsService } from './conversations.service';
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
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly presence: PresenceService,
    private readonly limits: LimitsService,
  ) {}

  async send(userId: number, conversationId: number, input: unknown): Promise<SendOutcome> {
    const membership = await this.conversations.membership({ id: userId }, conversationId);
    const refused = await this.refusal(userId);
    if (refused) return refused;
    const message = readMessage(newMessage, input);
    if ('error' in message) return { ok: false, status: 422, error: message.error };
    const limited = await this.limited(userId);
    if (limited) return limited;
    const { clientId, body, replyTo } = message.data;
    const to = { id: conversationId, companyId: membership.company.id };
    return { ok: true, ...(await this.messages.send({ user: { id: userId } }, to, clientId, body, replyTo)) };
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
