import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { has } from '../accounts/plans';
import { User } from '../accounts/user.entity';
import { Notification } from '../notifications/notification.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { PresenceService } from '../presence/presence.service';
import { allowedStatuses, Shown, Status } from '../presence/statuses';
import { ChatSettings } from './chat-settings.entity';
import { ChatSettingsService } from './chat-settings.service';
import { UNREAD_CAP } from './audience';
import type { ConversationKind } from './conversation.entity';

export interface PanelEntry {
  key: string;
  kind: 'user' | 'group';
  name: string;
  userId?: number;
  conversationId?: number;
  unread: number;
  lastActivity: number;
  href: string;
  /** What the user sees of a colleague: green, yellow or red. */
  shown?: Shown;
}

export interface Panel {
  settings: ChatSettings;
  entries: PanelEntry[];
  totalUnread: number;
  chatEnabled: boolean;
  /** The user's own chosen status and the ones they may choose. */
  presence: { status: Status; allowed: Status[] };
  /** Chose Offline: the chat is off for them until they choose another status. */
  offline: boolean;
  notifications: { items: Notification[]; unread: number };
  /** The Help entry (plans with Help chat): the user's Help conversation once it exists. */
  help?: { conversationId?: number; unread: number };
}

/** The right panel for one user, in a fixed number of queries whatever the number of people and conversations. */
@Injectable()
export class PanelService {
  constructor(
    private readonly em: EntityManager,
    private readonly settingsService: ChatSettingsService,
    private readonly presenceService: PresenceService,
    private readonly notificationsService: NotificationsService,
  ) {}

  async build(me: User): Promise<Panel> {
    // Independent reads, each on a connection of its own: the panel waits for the slowest, not for their sum.
    const [settings, everyone] = await Promise.all([this.settingsService.get(me), this.presenceService.forCompany(me.company.id)]);
    const own = everyone.get(me.id)?.status ?? 'available';
    const offline = own === 'offline';
    const chat = has(me.company, 'chat') && !offline;
    const [notifications, users, conversations] = await Promise.all([
      offline ? { items: [], unread: 0 } : this.notificationsService.latest(me.id),
      chat ? this.colleagues(me) : [],
      chat ? this.conversations(me) : [],
    ]);
    const presence = { status: own, allowed: allowedStatuses(me, me.company) };
    const base = { settings, entries: [], totalUnread: 0, presence, offline, notifications };
    if (!has(me.company, 'chat')) return { ...base, chatEnabled: false };
    if (offline) return { ...base, chatEnabled: true };
    const direct = new Map<number, PanelConversation>();
    const entries: PanelEntry[] = [];
    let totalUnread = 0;
    let help: Panel['help'] = has(me.company, 'help') ? { unread: 0 } : undefined;
    for (const conversation of conversations) {
      // A Help conversation is kept through a downgrade, shown (and counted) only while the plan has Help chat.
      if (conversation.kind === 'help' && !help) continue;
      totalUnread += conversation.unread;
      if (conversation.kind === 'help') {
        help = { conversationId: conversation.id, unread: conversation.unread };
      } else if (conversation.kind === 'direct') {
        const [a, b] = (conversation.directKey ?? '').split(':').map(Number);
        direct.set(a === me.id ? b : a, conversation);
      } else {
        entries.push({
          key: `c${conversation.id}`,
          kind: 'group',
          name: conversation.name ?? '',
          conversationId: conversation.id,
          unread: conversation.unread,
          lastActivity: conversation.activeAt,
          href: `/chat/conversations/${conversation.id}`,
        });
      }
    }
    for (const user of users) {
      const conversation = direct.get(user.id);
      entries.push({
        key: `u${user.id}`,
        kind: 'user',
        name: user.name,
        userId: user.id,
        conversationId: conversation?.id,
        unread: conversation?.unread ?? 0,
        lastActivity: conversation?.activeAt ?? 0,
        href: `/chat/users/${user.id}`,
        shown: everyone.get(user.id)?.shown ?? 'offline',
      });
    }
    entries.sort(settings.sortBy === 'activity' ? byActivity : byName);
    return { ...base, entries, totalUnread, chatEnabled: true, help };
  }

  /** The other active people of the company: ids and names are all the panel shows of them. */
  private colleagues(me: User): Promise<{ id: number; name: string }[]> {
    return this.em
      .getConnection()
      .execute<{ id: number; name: string }[]>(`select id, name from app_user where company_id = ? and active and id <> ? order by name`, [
        me.company.id,
        me.id,
      ]);
  }

  /**
   * The user's conversations with their unread counts: messages after the member's read pointer, not their own,
   * not deleted, counted up to the cap (99+) as the pushes count them, so that a long backlog costs no more.
   * A group's activity falls back to its creation, a one-to-one conversation's to nothing (0).
   */
  private async conversations(me: User): Promise<PanelConversation[]> {
    const companyId = me.company.id;
    const rows = await this.em
      .getConnection()
      .execute<{ id: number; kind: ConversationKind; name: string | null; direct_key: string | null; active_at: string | null; unread: number }[]>(
        `select c.id, c.kind, c.name, c.direct_key,
              case when c.kind = 'group' then coalesce(c.last_message_at, c.created_at) else c.last_message_at end as active_at,
              (select count(*)::int from (select 1 from message m
                where m.conversation_id = c.id and m.company_id = ? and m.id > cm.last_read_message_id
                  and m.deleted_at is null and m.author_id is distinct from cm.user_id limit ${UNREAD_CAP}) u) as unread
         from conversation_member cm
         join conversation c on c.id = cm.conversation_id and c.company_id = ?
        where cm.user_id = ? and cm.company_id = ?`,
        [companyId, companyId, me.id, companyId],
      );
    const platform = this.em.getPlatform();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      name: r.name,
      directKey: r.direct_key,
      activeAt: r.active_at === null ? 0 : platform.parseDate(r.active_at).getTime(),
      unread: r.unread,
    }));
  }
}

interface PanelConversation {
  id: number;
  kind: ConversationKind;
  name: string | null;
  directKey: string | null;
  /** Milliseconds since the epoch, for sorting by activity. */
  activeAt: number;
  unread: number;
}

const collator = new Intl.Collator('pl', { sensitivity: 'base' });
const byName = (a: PanelEntry, b: PanelEntry) => collator.compare(a.name, b.name);
const byActivity = (a: PanelEntry, b: PanelEntry) => b.lastActivity - a.lastActivity || byName(a, b);
