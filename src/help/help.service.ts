import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { requireFeature } from '../accounts/plan-refusal';
import { Plan, plansIncluding } from '../accounts/plans';
import type { User } from '../accounts/user.entity';
import { ChatMessageEvent, MessagesService } from '../chat/messages.service';
import { Conversation } from '../chat/conversation.entity';
import { ConversationMember } from '../chat/conversation-member.entity';
import { messagesBefore } from '../chat/message-records';
import type { MessageRecord } from '../chat/message.view';
import { forCompany } from '../database/background-work';
import { unlessDuplicate } from '../database/errors';
import { textArray } from '../database/text-array';

/** A claim lapses this long after its agent last answered, so a ticket never stays with an agent who left. */
export const CLAIM_IDLE_MINUTES = 10;
/** The support view shows this many of a Help conversation's newest messages. */
export const LOG_SIZE = 100;

export interface Ticket {
  conversationId: number;
  companyId: number;
  companyName: string;
  plan: Plan;
  userId: number;
  userName: string;
  status: 'open' | 'closed';
  waitingSince: Date | null;
  lastMessageAt: Date | null;
  lastExcerpt: string | null;
  /** The agent answering it, while their claim holds. */
  claimedBy: { id: number; name: string } | null;
}

/** A change the support team's pages must show: a ticket's row, and its log if a message came. */
export interface HelpChanged {
  conversationId: number;
}

const helpKey = (userId: number) => `help:${userId}`;

/**
 * Help conversations: one per user, in the user's company, with the operator's support agents answering from
 * outside it. Agents reach a company only through its Help conversations (never its panel, users or CRM);
 * the queries here that look across companies say so.
 */
@Injectable()
export class HelpService {
  constructor(
    private readonly em: EntityManager,
    private readonly orm: MikroORM,
    private readonly messages: MessagesService,
    private readonly events: EventEmitter2,
  ) {}

  /** The user's Help conversation, made on first use; only in a plan with Help chat. */
  async conversationOf(me: User): Promise<Conversation> {
    requireFeature(me.company, 'help');
    const key = helpKey(me.id);
    const existing = await this.em.findOne(Conversation, { kind: 'help', directKey: key });
    if (existing) return existing;
    const created = await unlessDuplicate(() =>
      this.em.transactional(async (em) => {
        const conversation = new Conversation(me.company, 'help');
        conversation.directKey = key;
        conversation.createdBy = me;
        em.persist([conversation, new ConversationMember(conversation, me)]);
        await em.flush();
        await em
          .getConnection()
          .execute(
            `insert into help_ticket (conversation_id, company_id, user_id) values (?, ?, ?)`,
            [conversation.id, me.company.id, me.id],
            'run',
            em.getTransactionContext(),
          );
        return conversation;
      }),
    );
    return created ?? (await this.em.findOneOrFail(Conversation, { kind: 'help', directKey: key }));
  }

  /** Every company's open Help conversations (plans with Help chat only), the newest waiting first. */
  async openTickets(): Promise<Ticket[]> {
    return this.query(`t.status = 'open'`, [], 'waiting');
  }

  /** The history: closed Help conversations, the last closed first. */
  async closedTickets(): Promise<Ticket[]> {
    return this.query(`t.status = 'closed'`, [], 'closed');
  }

  /** One Help conversation, open or closed, of a company whose plan has Help chat; anything else is a 404. */
  async ticket(conversationId: number): Promise<Ticket> {
    const [ticket] = Number.isSafeInteger(conversationId) ? await this.query(`t.conversation_id = ?`, [conversationId], 'waiting') : [];
    if (!ticket) throw new NotFoundException();
    return ticket;
  }

  private async query(where: string, params: unknown[], order: 'waiting' | 'closed'): Promise<Ticket[]> {
    const rows = await this.em.getConnection().execute<
      {
        conversation_id: number;
        company_id: number;
        company_name: string;
        plan: Plan;
        user_id: number;
        user_name: string;
        status: 'open' | 'closed';
        waiting_since: string | null;
        last_message_at: string | null;
        last_excerpt: string | null;
        claimed_by_id: number | null;
        claimed_by_name: string | null;
      }[]
    >(
      `/* all companies: the support team's view of Help conversations */
       select t.conversation_id, t.company_id, c.name as company_name, c.plan, t.user_id, u.name as user_name, t.status,
              t.waiting_since, t.last_message_at, t.last_excerpt,
              case when t.claimed_at > now() - make_interval(mins => ${CLAIM_IDLE_MINUTES}) then t.claimed_by_id end as claimed_by_id,
              case when t.claimed_at > now() - make_interval(mins => ${CLAIM_IDLE_MINUTES}) then a.name end as claimed_by_name
         from help_ticket t
         join company c on c.id = t.company_id
         join app_user u on u.id = t.user_id and u.company_id = t.company_id
         left join app_user a on a.id = t.claimed_by_id
        where ${where} and c.plan = any(?::text[])
        order by ${order === 'closed' ? 't.closed_at desc' : 't.waiting_since desc nulls last, t.last_message_at desc nulls last'}, t.conversation_id desc
        limit 500`,
      [...params, textArray(plansIncluding('help'))],
    );
    const date = (value: string | null) => (value === null ? null : this.em.getPlatform().parseDate(value));
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      companyId: r.company_id,
      companyName: r.company_name,
      plan: r.plan,
      userId: r.user_id,
      userName: r.user_name,
      status: r.status,
      waitingSince: date(r.waiting_since),
      lastMessageAt: date(r.last_message_at),
      lastExcerpt: r.last_excerpt,
      claimedBy: r.claimed_by_id === null ? null : { id: r.claimed_by_id, name: r.claimed_by_name ?? '' },
    }));
  }

  /** The newest messages of a Help conversation, oldest first, read in its own company. */
  async log(ticket: Ticket): Promise<MessageRecord[]> {
    const rows = await forCompany(this.orm, ticket.companyId, (em) => messagesBefore(em, ticket.companyId, ticket.conversationId, undefined, LOG_SIZE));
    return rows.reverse();
  }

  /**
   * "I am answering": the claim is the agent's unless another agent's claim still holds; exactly one of several
   * agents claiming at once wins. Returns whether this agent now holds it.
   */
  async claim(agent: User, conversationId: number): Promise<boolean> {
    const ticket = await this.ticket(conversationId);
    const rows = await this.em.getConnection().execute<{ conversation_id: number }[]>(
      `/* all companies: an agent claims a Help conversation */
       update help_ticket set claimed_by_id = ?, claimed_at = now()
        where conversation_id = ?
          and (claimed_by_id is null or claimed_by_id = ? or claimed_at <= now() - make_interval(mins => ${CLAIM_IDLE_MINUTES}))
       returning conversation_id`,
      [agent.id, ticket.conversationId, agent.id],
    );
    this.changed(ticket.conversationId);
    return rows.length > 0;
  }

  /** Gives a claim back, so another agent may answer. */
  async release(agent: User, conversationId: number): Promise<void> {
    const ticket = await this.ticket(conversationId);
    await this.em
      .getConnection()
      .execute(
        `/* all companies: an agent gives a claim back */ update help_ticket set claimed_by_id = null, claimed_at = null where conversation_id = ? and claimed_by_id = ?`,
        [ticket.conversationId, agent.id],
      );
    this.changed(ticket.conversationId);
  }

  /** An agent's answer, stored in the user's company under the agent's name (a retried client id stores it once). */
  async answer(agent: User, ticket: Ticket, clientId: string, body: string): Promise<MessageRecord> {
    const { record } = await forCompany(this.orm, ticket.companyId, () =>
      this.messages.send({ supportAgentId: agent.id, displayName: agent.name }, { id: ticket.conversationId, companyId: ticket.companyId }, clientId, body),
    );
    return record;
  }

  /** Closed: out of the open list, kept in the history of both sides; the user's next message opens it again. */
  async close(conversationId: number): Promise<void> {
    const ticket = await this.ticket(conversationId);
    await this.em
      .getConnection()
      .execute(
        `/* all companies: an agent closes a Help conversation */ update help_ticket set status = 'closed', closed_at = now(), waiting_since = null, claimed_by_id = null, claimed_at = null where conversation_id = ?`,
        [ticket.conversationId],
      );
    this.changed(ticket.conversationId);
  }

  /** A message in a Help conversation (the chat broadcaster tells): the user's opens it and waits; an agent's answers it and renews the claim. */
  @OnEvent('help.message', { async: true, promisify: true })
  async onMessage(event: ChatMessageEvent): Promise<void> {
    if (event.kind !== 'created') return this.changed(event.conversationId);
    const agentId = event.record.supportAgentId;
    await forCompany(this.orm, null, (em) =>
      em.getConnection().execute(
        `/* all companies: the ticket of a Help conversation */
         update help_ticket set last_message_at = ?, last_excerpt = left(?, 140),
                waiting_since = case when ?::int is null then coalesce(waiting_since, ?) end,
                status = case when ?::int is null then 'open' else status end,
                closed_at = case when ?::int is null then null else closed_at end,
                claimed_by_id = coalesce(?::int, claimed_by_id),
                claimed_at = case when ?::int is null then claimed_at else now() end
          where conversation_id = ? and company_id = ?`,
        [event.record.createdAt, event.record.body, agentId, event.record.createdAt, agentId, agentId, agentId, agentId, event.conversationId, event.companyId],
      ),
    );
    this.changed(event.conversationId);
  }

  private changed(conversationId: number): void {
    this.events.emit('help.changed', { conversationId } satisfies HelpChanged);
  }
}
