import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { has } from '../accounts/plans';
import { User } from '../accounts/user.entity';
import { titleOf } from '../chat/conversation.view';
import { ConversationsService } from '../chat/conversations.service';
import { domIdOf, MessageRecord } from '../chat/message.view';
import { MessagesService } from '../chat/messages.service';
import { field, FieldErrors, FormValues, optional } from '../web/form';
import { CrmCompany } from './crm-company.entity';
import type { FieldValue } from './crm-form';
import type { KindDef } from './crm-kinds';
import type { CrmRecord } from './crm-record';
import type { CrmTask } from './crm-task.entity';
import type { TaskAssigned } from '../notifications/notifications.service';

export const CRM_PAGE_SIZE = 25;
const ref = field.ref();

export interface CrmQuery {
  q?: string;
  filters: Record<string, string>;
  after?: number;
}

/** Where a record made from a message came from, as one member of its conversation may see it. */
export interface CrmSource {
  kind: 'group' | 'direct' | 'help';
  /** The group's name or the colleague's; empty for a Help conversation (the page names it). */
  title: string;
  href: string;
}

export interface CrmChanged {
  companyId: number;
  kind: KindDef['slug'];
  id: number;
  deleted: boolean;
}

const RELATIONS: Record<string, string[]> = {
  tasks: ['assignee', 'crmCompany'],
  notes: ['crmCompany', 'createdBy'],
  opportunities: ['owner', 'crmCompany'],
  companies: [],
};

/** The four kinds' records, always within the signed-in user's company (the company filter applies). */
@Injectable()
export class CrmService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventEmitter2,
    private readonly messages: MessagesService,
    private readonly conversations: ConversationsService,
  ) {}

  /** Search by name, filter by the kind's filter fields, newest first, a page after an id (keyset). */
  async list(kind: KindDef, query: CrmQuery): Promise<{ rows: CrmRecord[]; next: number | null }> {
    const where: Record<string, unknown> = {};
    const q = query.q?.trim().slice(0, 200);
    if (q) where.name = { $ilike: `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` };
    for (const field of kind.fields.filter((f) => f.filter)) {
      const value = query.filters[field.name];
      if (!value) continue;
      if (field.type === 'choice') {
        if (field.choices!.includes(value)) where[field.name] = value;
      } else if (/^\d{1,9}$/.test(value)) where[field.name] = Number(value);
    }
    if (query.after) where.id = { $lt: query.after };
    const rows = await this.em.find(kind.entity, where, { orderBy: { id: 'desc' }, limit: CRM_PAGE_SIZE + 1, populate: RELATIONS[kind.slug] as never[] });
    return { rows: rows.slice(0, CRM_PAGE_SIZE), next: rows.length > CRM_PAGE_SIZE ? rows[CRM_PAGE_SIZE - 1].id : null };
  }

  async get(kind: KindDef, id: number): Promise<CrmRecord> {
    const record = await this.em.findOne(kind.entity, { id }, { populate: [...RELATIONS[kind.slug], 'createdBy'] as never[] });
    if (!record) throw new NotFoundException();
    return record;
  }

  /** Choices for the relation fields: the company's active users and its CRM companies. */
  async options(): Promise<{ users: User[]; companies: CrmCompany[] }> {
    const users = await this.em.find(User, { active: true }, { orderBy: { name: 'asc' } });
    const companies = await this.em.find(CrmCompany, {}, { orderBy: { name: 'asc' }, limit: 500 });
    return { users, companies };
  }

  /**
   * Turns checked form data into values to store; relation ids that name nothing of this company become errors.
   * Relations are looked up even when other fields are wrong, so every problem shows at once.
   */
  async resolve(kind: KindDef, form: { values: FormValues; errors: FieldErrors; data?: Record<string, FieldValue> }): Promise<Record<string, unknown>> {
    const resolved: Record<string, unknown> = { ...form.data };
    for (const field of kind.fields.filter((f) => (f.type === 'user' || f.type === 'crmCompany') && !form.errors[f.name])) {
      const id = optional(ref, form.values[field.name].trim());
      if (id === undefined) continue;
      const target = await this.em.findOne(field.type === 'user' ? User : CrmCompany, { id });
      if (!target) form.errors[field.name] = 'form.invalidChoice';
      resolved[field.name] = target;
    }
    if (kind.slug === 'notes') resolved.name = firstLine(form.values.text ?? '');
    return resolved;
  }

  /** Stores resolved values (only ever after they were checked, so nothing invalid is flushed). */
  async save(kind: KindDef, record: CrmRecord, values: Record<string, unknown>, isNew: boolean, actor: User): Promise<void> {
    const assignedBefore = (record as CrmTask).assignee?.id;
    Object.assign(record, values);
    await this.em.persistAndFlush(record);
    const assignee = (record as CrmTask).assignee;
    if (kind.slug === 'tasks' && assignee && assignee.id !== assignedBefore) {
      this.events.emit('crm.task.assigned', {
        companyId: record.company.id,
        taskId: record.id,
        taskName: record.name,
        assigneeId: assignee.id,
        byUserId: actor.id,
      } satisfies TaskAssigned);
    }
    if (!isNew) this.events.emit('crm.changed', { companyId: record.company.id, kind: kind.slug, id: record.id, deleted: false } satisfies CrmChanged);
  }

  /**
   * A record just made from a message: the conversation gets a line linking to it (shown as a live CRM link).
   * `line` is the sentence before the link, in the maker's language.
   */
  async announceInConversation(
    kind: KindDef,
    record: CrmRecord,
    actor: Pick<User, 'id' | 'company'>,
    message: MessageRecord,
    line: string,
    baseUrl: string,
  ): Promise<MessageRecord> {
    const url = `${baseUrl}/crm/${kind.slug}/${record.id}`;
    const { record: sent } = await this.messages.send(
      { user: actor },
      { id: message.conversationId, companyId: actor.company.id },
      randomUUID(),
      `${line} ${url}`,
    );
    return sent;
  }

  /**
   * The message a record was made from, for a viewer who belongs to its conversation; anyone else learns nothing
   * of it (not even that there was one). The link opens the conversation at that message.
   */
  async sourceOf(viewer: User, record: CrmRecord): Promise<CrmSource | null> {
    if (!record.sourceMessageId || !has(viewer.company, 'chat')) return null;
    try {
      const message = await this.messages.visible(viewer, record.sourceMessageId);
      const open = await this.conversations.open(viewer, message.conversationId);
      const { conversation } = open;
      return {
        kind: conversation.kind,
        title: titleOf(viewer, open),
        href: `/chat/conversations/${conversation.id}?at=${message.id}#${domIdOf(message.clientId)}`,
      };
    } catch {
      return null; // not a member (404), or a Help conversation outside the plan: no trace of it
    }
  }

  async delete(kind: KindDef, record: CrmRecord): Promise<void> {
    await this.em.removeAndFlush(record);
    this.events.emit('crm.changed', { companyId: record.company.id, kind: kind.slug, id: record.id, deleted: true } satisfies CrmChanged);
  }
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0].trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
