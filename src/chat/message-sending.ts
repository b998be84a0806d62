import { EntityManager } from '@mikro-orm/postgresql';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { FeatureRefused } from '../accounts/plan-refusal';
import { plansIncluding } from '../accounts/plans';
import { scopedCompanyId } from '../database/company-scope';
import { prepared } from '../database/prepared';
import { textArray } from '../database/text-array';
import { PresenceService } from '../presence/presence.service';
import { LimitsService } from '../security/limits.service';
import type { MessageKey } from '../web/i18n/en';
import { newMessage, readMessage } from './message.form';
import type { MessageRecord } from './message.view';
import { MessagesService, NotStored } from './messages.service';

const HELP_PLANS = textArray(plansIncluding('help'));

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

  /**
   * `socketId`: the page's socket it came over, which has its copy from the acknowledgement. Membership and the
   * Offline status are checked by the statement that stores; only a send that stored nothing asks why.
   */
  async send(userId: number, conversationId: number, input: unknown, socketId?: string): Promise<SendOutcome> {
    if (!Number.isSafeInteger(conversationId)) throw new NotFoundException();
    const message = readMessage(newMessage, input);
    const refused = 'error' in message ? ({ ok: false, status: 422, error: message.error } as const) : await this.limited(userId);
    // An outsider learns nothing from a refusal: whoever is not a member gets the 404 first.
    if (refused || 'error' in message) return (await this.whyNot(userId, conversationId)) ?? refused!;
    const { clientId, body, replyTo } = message.data;
    const to = { id: conversationId, companyId: scopedCompanyId(this.em) };
    try {
      return { ok: true, ...(await this.messages.send({ user: { id: userId }, socketId, mustBeMember: true }, to, clientId, body, replyTo)) };
    } catch (err) {
      if (!(err instanceof NotStored)) throw err;
      const why = await this.whyNot(userId, conversationId);
      if (why) return why;
      throw new ConflictException();
    }
  }

  /**
   * Not a member: 404; Offline: the refusal that says so; else nothing stands in the way. Asked only when a send
   * is refused or stored nothing: the store itself checks both.
   */
  private async whyNot(userId: number, conversationId: number): Promise<Refusal | undefined> {
    const [row] = await prepared<{ offline: boolean; outside_plan: boolean }>(
      this.em,
      'sender',
      `select coalesce(p.status = 'offline', false) as offline, (c.kind = 'help' and not co.plan = any(?::text[])) as outside_plan
         from conversation_member cm
         join conversation c on c.id = cm.conversation_id and c.company_id = cm.company_id
         join company co on co.id = cm.company_id
         left join presence p on p.user_id = cm.user_id and p.company_id = cm.company_id
        where cm.conversation_id = ? and cm.user_id = ? and cm.company_id = ?`,
      [HELP_PLANS, conversationId, userId, scopedCompanyId(this.em)],
    );
    if (!row) throw new NotFoundException();
    // A Help conversation kept through a downgrade takes no messages until the plan has Help chat again.
    if (row.outside_plan) throw new FeatureRefused('help');
    return row.offline ? { ok: false, status: 409, error: 'presence.offlineChat' } : undefined;
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
