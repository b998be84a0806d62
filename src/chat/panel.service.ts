import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { User } from '../accounts/user.entity';
import { Notification } from '../notifications/notification.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { PresenceService } from '../presence/presence.service';
import { allowedStatuses, Shown, Status } from '../presence/statuses';
import { ChatSettings } from './chat-settings.entity';
import { ChatSettingsService } from './chat-settings.service';
import { ConversationMember } from './conversation-member.entity';

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
    const settings = await this.settingsService.get(me);
    const everyone = await this.presenceService.forCompany(me.company.id);
    const own = everyone.get(me.id)?.status ?? 'available';
    const presence = { status: own, allowed: allowedStatuses(me, me.company) };
    const notifications = own === 'offline' ? { items: [], unread: 0 } : await this.notificationsService.latest(me.id);
    const base = { settings, entries: [], totalUnread: 0, presence, offline: own === 'offline', notifications };
    if (me.company.plan === 'start') return { ...base, chatEnabled: false };
    if (own === 'offline') return { ...base, chatEnabled: true };
    const users = await this.em.find(User, { active: true, id: { $ne: me.id } }, { orderBy: { name: 'asc' } });
    const memberships = await this.em.find(ConversationMember, { user: me.id }, { populate: ['conversation'] });
    const unread = await this.unreadCounts(me.id);
    const direct = new Map<number, ConversationMember>();
    const entries: PanelEntry[] = [];
    for (const membership of memberships) {
      const conversation = membership.conversation;
      if (conversation.kind === 'direct') {
        const [a, b] = (conversation.directKey ?? '').split(':').map(Number);
        direct.set(a === me.id ? b : a, membership);
      } else {
        entries.push({
          key: `c${conversation.id}`,
          kind: 'group',
          name: conversation.name ?? '',
          conversationId: conversation.id,
          unread: unread.get(conversation.id) ?? 0,
          lastActivity: (conversation.lastMessageAt ?? conversation.createdAt).getTime(),
          href: `/chat/conversations/${conversation.id}`,
        });
      }
    }
    for (const user of users) {
      const conversation = direct.get(user.id)?.conversation;
      entries.push({
        key: `u${user.id}`,
        kind: 'user',
        name: user.name,
        userId: user.id,
        conversationId: conversation?.id,
        unread: conversation ? (unread.get(conversation.id) ?? 0) : 0,
        lastActivity: conversation?.lastMessageAt?.getTime() ?? 0,
        href: `/chat/users/${user.id}`,
        shown: everyone.get(user.id)?.shown ?? 'offline',
      });
    }
    entries.sort(settings.sortBy === 'activity' ? byActivity : byName);
    return { ...base, entries, totalUnread: [...unread.values()].reduce((a, b) => a + b, 0), chatEnabled: true };
  }

  /** Unread per conversation: messages after the member's read pointer, not their own, not deleted. */
  async unreadCounts(userId: number): Promise<Map<number, number>> {
    const rows = await this.em.getConnection().execute<{ conversation_id: number; unread: number }[]>(
      `select cm.conversation_id, count(m.id)::int as unread
         from conversation_member cm
         join message m on m.conversation_id = cm.conversation_id and m.id > cm.last_read_message_id
        where cm.user_id = ? and m.deleted_at is null and m.author_id is distinct from cm.user_id
        group by cm.conversation_id`,
      [userId],
    );
    return new Map(rows.map((r) => [r.conversation_id, r.unread]));
  }
}

const collator = new Intl.Collator('pl', { sensitivity: 'base' });
const byName = (a: PanelEntry, b: PanelEntry) => collator.compare(a.name, b.name);
const byActivity = (a: PanelEntry, b: PanelEntry) => b.lastActivity - a.lastActivity || byName(a, b);
