import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { has } from '../accounts/plans';
import type { User } from '../accounts/user.entity';
import type { ConversationKind } from './conversation.entity';
import type { Locale } from '../web/i18n/translator';
import { ConversationsService, OpenConversation } from './conversations.service';
import { isManager } from './group-rights';
import { MessageFragment, MessageFragments } from './message.fragments';
import { MessagesService } from './messages.service';
import { encodeWatermark, watermarkOf } from './read-watermark';

export interface ConversationView {
  id: number;
  kind: ConversationKind;
  title: string;
  otherUser: { id: number; name: string } | null;
  memberCount: number;
  /** The change sequence the shown messages are at: the page catches up from here. */
  seq: number;
  /** The read watermark, encoded: the page turns its own messages' ticks green from it. */
  read: string;
  messages: MessageFragment[];
  hasMore: boolean;
  oldestId: number | null;
  firstUnreadId: number | null;
  rights: OpenConversation['rights'];
  /** An administrator or director in a group may delete anyone's message there. */
  manages: boolean;
  /** The gear offers the group's API token: a manager, in a company with the API add-on. */
  apiToken: boolean;
  composerClientId: string;
  /** This user muted the conversation (no chime, no desktop notification). */
  muted: boolean;
}

/** A conversation's window as one user sees it: the page, the htmx reply, a reopened window and a page of older messages. */
export interface MessagesAround {
  id: number;
  title: string;
  messages: MessageFragment[];
  /** The first and last shown, when there are more that way: the links read on from them. */
  earlierId: number | null;
  laterId: number | null;
  at: { id: number; clientId: string };
}

/** A group's name; a one-to-one conversation's, the other person's; a Help conversation has none of its own. */
export function titleOf(me: User, { conversation, members }: OpenConversation): string {
  if (conversation.kind === 'group') return conversation.name ?? '';
  return members.find((m) => m.user.id !== me.id)?.user.name ?? '';
}

@Injectable()
export class ConversationWindows {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly fragments: MessageFragments,
  ) {}

  /** `atId`: opened at that message (a search hit), when it is recent enough to show with everything after it. */
  async open(me: User, conversationId: number, locale: Locale, beforeId?: number, atId?: number): Promise<ConversationView> {
    return this.of(me, await this.conversations.open(me, conversationId), locale, beforeId, atId);
  }

  /** The messages around one too far back to open the conversation at (see MessagesService.around); null if not there. */
  async around(me: User, conversationId: number, atId: number, locale: Locale): Promise<MessagesAround | null> {
    const open = await this.conversations.open(me, conversationId);
    const found = await this.messages.around(open.conversation.id, atId);
    if (!found) return null;
    const read = watermarkOf(open.members.map((m) => ({ userId: m.user.id, lastRead: m.lastReadMessageId })));
    const { messages, hasEarlier, hasLater } = found;
    return {
      id: open.conversation.id,
      title: titleOf(me, open),
      messages: await this.fragments.render(messages, locale, read),
      earlierId: hasEarlier ? messages[0].id : null,
      laterId: hasLater ? messages[messages.length - 1].id : null,
      at: messages.find((m) => m.id === atId)!,
    };
  }

  async of(me: User, open: OpenConversation, locale: Locale, beforeId?: number, atId?: number): Promise<ConversationView> {
    const { conversation, members, membership } = open;
    // The sequence is read before the messages: a change in between is then shown and also caught up, never lost.
    const seq = conversation.changeSeq;
    const page = (atId && (await this.messages.pageAt(conversation.id, atId))) || (await this.messages.page(conversation.id, beforeId));
    const read = watermarkOf(members.map((m) => ({ userId: m.user.id, lastRead: m.lastReadMessageId })));
    const other = conversation.kind === 'direct' ? members.find((m) => m.user.id !== me.id)?.user : undefined;
    const firstUnread = page.messages.find((m) => m.authorId !== me.id && !m.deletedAt && m.id > membership.lastReadMessageId);
    return {
      id: conversation.id,
      kind: conversation.kind,
      title: titleOf(me, open),
      otherUser: other ? { id: other.id, name: other.name } : null,
      memberCount: members.length,
      seq,
      read: encodeWatermark(read),
      messages: await this.fragments.render(page.messages, locale, read),
      hasMore: page.hasMore,
      oldestId: page.messages[0]?.id ?? null,
      firstUnreadId: firstUnread?.id ?? null,
      rights: open.rights,
      manages: conversation.kind === 'group' && isManager(me.role),
      apiToken: conversation.kind === 'group' && open.rights.apiToken && has(me.company, 'groupTokens'),
      composerClientId: randomUUID(),
      muted: membership.muted,
    };
  }
}
