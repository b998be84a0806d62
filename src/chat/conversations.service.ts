import { EntityData } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { requireFeature } from '../accounts/plan-refusal';
import { User } from '../accounts/user.entity';
import { scopedCompanyId } from '../database/company-scope';
import { unlessDuplicate } from '../database/errors';
import { prepared } from '../database/prepared';
import { ConversationMember } from './conversation-member.entity';
import { Conversation, directKey } from './conversation.entity';
import type { GroupMembersAdded } from '../notifications/notifications.service';
import { GroupRights, groupRights } from './group-rights';
import { ReadWatermark, watermarkOf } from './read-watermark';

export const GROUP_MAX_MEMBERS = 1000;

export interface GroupInput {
  name: string;
  memberIds: number[];
}

export interface ChatGroupEvent {
  companyId: number;
  conversationId: number;
  userIds: number[];
  removedUserIds: number[];
}

export interface ConversationPosition {
  id: number;
  seq: number;
  read: ReadWatermark;
}

export interface OpenConversation {
  conversation: Conversation;
  membership: ConversationMember;
  members: ConversationMember[];
  rights: GroupRights;
}

@Injectable()
export class ConversationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
  ) {}

  /** The conversation with its members, if the user is one of them; anyone else gets a 404. */
  async open(user: User, conversationId: number): Promise<OpenConversation> {
    const members = Number.isSafeInteger(conversationId)
      ? await this.em.find(ConversationMember, { conversation: conversationId }, { populate: ['user', 'conversation'], orderBy: { user: { name: 'asc' } } })
      : [];
    const membership = members.find((m) => m.user.id === user.id);
    if (!membership) throw new NotFoundException();
    // A Help conversation stays, hidden, while the plan has no Help chat: a downgrade keeps it for an upgrade.
    if (membership.conversation.kind === 'help') requireFeature(user.company, 'help');
    return {
      conversation: membership.conversation,
      membership,
      members,
      rights:
        membership.conversation.kind === 'group'
          ? groupRights(
              user.role,
              members.map((m) => m.user.role),
            )
          : noRights,
    };
  }

  /** Just the membership, for the hot paths (send, read) that need no member list. */
  async membership(user: Pick<User, 'id'>, conversationId: number): Promise<ConversationMember> {
    if (!Number.isSafeInteger(conversationId)) throw new NotFoundException();
    // One statement mapped by hand, as the session's: every message sent and read passes here.
    const [row] = await prepared<{ member: EntityData<ConversationMember>; conversation: EntityData<Conversation> }>(
      this.em,
      'membership',
      `select to_jsonb(m) as member, to_jsonb(c) as conversation
           from conversation_member m join conversation c on c.id = m.conversation_id and c.company_id = m.company_id
          where m.conversation_id = ? and m.user_id = ? and m.company_id = ?`,
      [conversationId, user.id, scopedCompanyId(this.em)],
    );
    if (!row) throw new NotFoundException();
    this.em.map(Conversation, row.conversation);
    return this.em.map(ConversationMember, row.member);
  }

  /** The member's own mute of a conversation: no chime, no desktop notification; the badge still counts. */
  async setMuted(membership: ConversationMember, muted: boolean): Promise<void> {
    await this.em
      .getConnection()
      .execute(`update conversation_member set muted = ? where conversation_id = ? and user_id = ? and company_id = ?`, [
        muted,
        membership.conversation.id,
        membership.user.id,
        scopedCompanyId(this.em),
      ]);
    membership.muted = muted;
  }

  /** Whether a user belongs to a conversation of the current company: a socket joins its rooms only then. */
  async isMember(userId: number, conversationId: number): Promise<boolean> {
    const [row] = await this.em
      .getConnection()
      .execute<{ n: number }[]>(`select 1 as n from conversation_member where conversation_id = ? and user_id = ? and company_id = ?`, [
        conversationId,
        userId,
        scopedCompanyId(this.em),
      ]);
    return !!row;
  }

  /**
   * Where each of the user's conversations stands (those among the ids they belong to): its change sequence and
   * its read watermark, for a page to check what it shows against. Others are left out.
   */
  async positions(userId: number, conversationIds: number[]): Promise<ConversationPosition[]> {
    if (conversationIds.length === 0) return [];
    const companyId = scopedCompanyId(this.em);
    const rows = await this.em.getConnection().execute<{ id: number; change_seq: string; slowest: { u: number; r: string }[] }[]>(
      `select c.id, c.change_seq,
              (select json_agg(json_build_object('u', s.user_id, 'r', s.last_read_message_id))
                 from (select user_id, last_read_message_id from conversation_member
                        where conversation_id = c.id and company_id = c.company_id order by last_read_message_id, user_id limit 2) s) as slowest
         from conversation c join conversation_member me on me.conversation_id = c.id and me.user_id = ? and me.company_id = c.company_id
        where c.company_id = ? and c.id = any(?::int[])`,
      [userId, companyId, `{${conversationIds.join(',')}}`],
    );
    return rows.map((r) => ({
      id: r.id,
      seq: Number(r.change_seq),
      read: watermarkOf((r.slowest ?? []).map((m) => ({ userId: m.u, lastRead: Number(m.r) }))),
    }));
  }

  /** The one-to-one conversation with a colleague of the same company, made on first use. */
  async direct(me: User, otherUserId: number): Promise<Conversation> {
    const other = Number.isSafeInteger(otherUserId) ? await this.em.findOne(User, { id: otherUserId, active: true }) : null;
    if (!other || other.id === me.id) throw new NotFoundException();
    const key = directKey(me.id, other.id);
    const existing = await this.em.findOne(Conversation, { kind: 'direct', directKey: key });
    if (existing) return existing;
    const created = await unlessDuplicate(() =>
      this.em.transactional(async (em) => {
        const conversation = new Conversation(me.company, 'direct');
        conversation.directKey = key;
        conversation.createdBy = me;
        em.persist([conversation, new ConversationMember(conversation, me), new ConversationMember(conversation, other)]);
        return conversation;
      }),
    );
    // Two first messages racing: the other request made it, so use theirs.
    return created ?? (await this.em.findOneOrFail(Conversation, { kind: 'direct', directKey: key }));
  }

  async createGroup(me: User, input: GroupInput): Promise<Conversation> {
    const users = await this.colleagues(me, input.memberIds);
    const conversation = await this.em.transactional(async (em) => {
      const group = new Conversation(me.company, 'group');
      group.name = input.name;
      group.createdBy = me;
      em.persist(group);
      for (const user of users) em.persist(new ConversationMember(group, user));
      return group;
    });
    this.events.emit('chat.group.changed', { companyId: me.company.id, conversationId: conversation.id, userIds: users.map((u) => u.id), removedUserIds: [] });
    this.events.emit('chat.group.membersAdded', {
      companyId: me.company.id,
      conversationId: conversation.id,
      groupName: input.name,
      byUserId: me.id,
      addedUserIds: users.map((u) => u.id),
    } satisfies GroupMembersAdded);
    return conversation;
  }

  async updateGroup(me: User, open: OpenConversation, input: GroupInput): Promise<void> {
    this.require(open, 'edit');
    const members = (await this.colleagues(me, input.memberIds)).map((u) => u.id);
    const wanted = `{${members.join(',')}}`;
    const id = open.conversation.id;
    const companyId = open.conversation.company.id;
    const { added, removed } = await this.em.transactional(async (em) => {
      const conn = em.getConnection();
      const ctx = em.getTransactionContext();
      // The group's row first: two edits at once take turns, and the second sees the members the first left.
      await conn.execute(`update conversation set name = ? where id = ? and company_id = ?`, [input.name, id, companyId], 'run', ctx);
      const gone = await conn.execute<{ user_id: number }[]>(
        `delete from conversation_member where conversation_id = ? and company_id = ? and not (user_id = any(?::int[])) returning user_id`,
        [id, companyId, wanted],
        'all',
        ctx,
      );
      // Someone added later sees the history as read: no 99+ badge for what was said before they came.
      const joined = await conn.execute<{ user_id: number }[]>(
        `insert into conversation_member (conversation_id, user_id, company_id, joined_at, last_read_message_id)
         select ?, u, ?, now(), coalesce((select max(m.id) from message m where m.conversation_id = ? and m.company_id = ?), 0)
           from unnest(?::int[]) as u
         on conflict do nothing
         returning user_id`,
        [id, companyId, id, companyId, wanted],
        'all',
        ctx,
      );
      return { added: joined.map((r) => r.user_id), removed: gone.map((r) => r.user_id) };
    });
    if (added.length) {
      this.events.emit('chat.group.membersAdded', {
        companyId,
        conversationId: id,
        groupName: input.name,
        byUserId: me.id,
        addedUserIds: added,
      } satisfies GroupMembersAdded);
    }
    this.events.emit('chat.group.changed', { companyId, conversationId: id, userIds: members, removedUserIds: removed });
  }

  async deleteGroup(open: OpenConversation): Promise<void> {
    this.require(open, 'delete');
    const userIds = open.members.map((m) => m.user.id);
    await this.em.removeAndFlush(open.conversation);
    this.events.emit('chat.group.changed', {
      companyId: open.conversation.company.id,
      conversationId: open.conversation.id,
      userIds: [],
      removedUserIds: userIds,
    });
  }

  async leave(open: OpenConversation): Promise<void> {
    this.require(open, 'leave');
    await this.em.removeAndFlush(open.membership);
    const remaining = open.members.filter((m) => m !== open.membership).map((m) => m.user.id);
    this.events.emit('chat.group.changed', {
      companyId: open.conversation.company.id,
      conversationId: open.conversation.id,
      userIds: remaining,
      removedUserIds: [open.membership.user.id],
    });
  }

  private require(open: OpenConversation, right: keyof GroupRights): void {
    if (open.conversation.kind !== 'group' || !open.rights[right]) throw new ForbiddenException();
  }

  /** The chosen colleagues (active, same company, by the company filter) plus the acting user. */
  private async colleagues(me: User, ids: number[]): Promise<User[]> {
    const wanted = [...new Set([...ids.filter(Number.isSafeInteger), me.id])].slice(0, GROUP_MAX_MEMBERS);
    return this.em.find(User, { id: { $in: wanted }, active: true }, { orderBy: { name: 'asc' } });
  }
}

const noRights: GroupRights = { leave: false, edit: false, delete: false, apiToken: false };
