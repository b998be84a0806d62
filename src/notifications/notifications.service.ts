import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { Company } from '../accounts/company.entity';
import { User } from '../accounts/user.entity';
import { inCompany } from '../database/background-work';
import { scopedCompanyId } from '../database/company-scope';
import { Notification, NotificationKind } from './notification.entity';

export const NOTIFICATIONS_SHOWN = 20;

export interface GroupMembersAdded {
  companyId: number;
  conversationId: number;
  groupName: string;
  byUserId: number;
  addedUserIds: number[];
}

export interface TaskAssigned {
  companyId: number;
  taskId: number;
  taskName: string;
  assigneeId: number;
  byUserId: number;
}

export interface Mentioned {
  companyId: number;
  conversationId: number;
  byName: string;
  userIds: number[];
}

/** Notifications in the panel: added to a group, a CRM task assigned (Livechat and Callback add theirs later). */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger('notifications');

  constructor(
    private readonly em: EntityManager,
    private readonly orm: MikroORM,
    private readonly events: EventEmitter2,
  ) {}

  async latest(userId: number): Promise<{ items: Notification[]; unread: number }> {
    const items = await this.em.find(Notification, { user: userId }, { orderBy: { id: 'desc' }, limit: NOTIFICATIONS_SHOWN });
    return { items, unread: await this.unread(userId) };
  }

  async unread(userId: number): Promise<number> {
    const [row] = await this.em
      .getConnection()
      .execute<{ n: number }[]>(`select count(*)::int as n from notification where company_id = ? and user_id = ? and read_at is null`, [
        scopedCompanyId(this.em),
        userId,
      ]);
    return row.n;
  }

  async markAllRead(userId: number): Promise<void> {
    await this.em.nativeUpdate(Notification, { user: userId, readAt: null }, { readAt: new Date() });
  }

  @OnEvent('chat.group.membersAdded', { async: true, promisify: true })
  async groupMembersAdded(event: GroupMembersAdded): Promise<void> {
    await this.inContext(event.companyId, async (em) => {
      const by = await em.findOne(User, event.byUserId);
      for (const userId of event.addedUserIds.filter((id) => id !== event.byUserId)) {
        await this.create(
          em,
          event.companyId,
          userId,
          'group_added',
          { group: event.groupName, by: by?.name ?? '' },
          `/chat/conversations/${event.conversationId}`,
        );
      }
    });
  }

  @OnEvent('chat.mentioned', { async: true, promisify: true })
  async mentioned(event: Mentioned): Promise<void> {
    await this.inContext(event.companyId, async (em) => {
      const [group] = await em
        .getConnection()
        .execute<{ name: string | null }[]>(`select name from conversation where id = ? and company_id = ?`, [event.conversationId, event.companyId]);
      for (const userId of event.userIds) {
        await this.create(
          em,
          event.companyId,
          userId,
          'mentioned',
          { by: event.byName, group: group?.name ?? '' },
          `/chat/conversations/${event.conversationId}`,
        );
      }
    });
  }

  @OnEvent('crm.task.assigned', { async: true, promisify: true })
  async taskAssigned(event: TaskAssigned): Promise<void> {
    if (event.assigneeId === event.byUserId) return;
    await this.inContext(event.companyId, async (em) => {
      const by = await em.findOne(User, event.byUserId);
      await this.create(em, event.companyId, event.assigneeId, 'task_assigned', { task: event.taskName, by: by?.name ?? '' }, `/crm/tasks/${event.taskId}`);
    });
  }

  private async create(
    em: EntityManager,
    companyId: number,
    userId: number,
    kind: NotificationKind,
    params: Record<string, string>,
    href: string,
  ): Promise<void> {
    const notification = new Notification(em.getReference(Company, companyId), em.getReference(User, userId), kind, params, href);
    await em.persistAndFlush(notification);
    this.events.emit('notification.created', { companyId, userId, notificationId: notification.id });
  }

  private inContext(companyId: number, work: (em: EntityManager) => Promise<void>): Promise<void> {
    return inCompany(this.orm, companyId, this.logger, work);
  }
}
