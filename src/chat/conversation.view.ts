import { randomUUID } from 'node:crypto';
import type { User } from '../accounts/user.entity';
import type { OpenConversation } from './conversations.service';
import { isManager } from './group-rights';
import type { LinkedObject } from './object-links';
import { MessageRecord, messageView, MessageView, readStateOf } from './message.view';

export interface ConversationView {
  id: number;
  kind: 'direct' | 'group';
  title: string;
  otherUser: { id: number; name: string } | null;
  memberCount: number;
  seq: number;
  messages: MessageView[];
  hasMore: boolean;
  oldestId: number | null;
  firstUnreadId: number | null;
  rights: OpenConversation['rights'];
  /** An administrator or director in a group may delete anyone's message there. */
  manages: boolean;
  /** The gear offers the group's API token: a manager, in a company with the API add-on. */
  apiToken: boolean;
  composerClientId: string;
}

/** The view model of a conversation window: the same for the page, the htmx reply and a reopened window. */
export function conversationView(
  me: User,
  open: OpenConversation,
  page: { messages: MessageRecord[]; hasMore: boolean; objects: Map<string, LinkedObject> },
): ConversationView {
  const { conversation, members, membership } = open;
  const other = conversation.kind === 'direct' ? members.find((m) => m.user.id !== me.id)?.user : undefined;
  const state = readStateOf(members);
  const manages = conversation.kind === 'group' && isManager(me.role);
  const messages = page.messages.map((m) => messageView(m, me.id, state, manages, page.objects));
  const firstUnread = messages.find((m) => !m.mine && !m.deleted && m.id > membership.lastReadMessageId);
  return {
    id: conversation.id,
    kind: conversation.kind,
    title: conversation.kind === 'group' ? (conversation.name ?? '') : (other?.name ?? ''),
    otherUser: other ? { id: other.id, name: other.name } : null,
    memberCount: members.length,
    seq: conversation.changeSeq,
    messages,
    hasMore: page.hasMore,
    oldestId: messages[0]?.id ?? null,
    firstUnreadId: firstUnread?.id ?? null,
    rights: open.rights,
    manages,
    apiToken: conversation.kind === 'group' && open.rights.apiToken && me.company.apiAddon && me.company.plan !== 'start',
    composerClientId: randomUUID(),
  };
}
