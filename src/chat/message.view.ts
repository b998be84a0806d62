import type { ConversationMember } from './conversation-member.entity';
import { Segment, segments } from './linkify';
import type { LinkedObject } from './object-links';
import type { Message } from './message.entity';

export interface ReceiptView {
  read: boolean;
  readers: string[];
}

export interface AttachmentView {
  id: number;
  name: string;
  size: number;
  image: boolean;
  width: number | null;
  height: number | null;
  href: string;
  thumbnail: string | null;
}

export interface MessageView {
  id: number;
  seq: number;
  domId: string;
  clientId: string;
  conversationId: number;
  authorId: number | null;
  authorName: string;
  /** Posted by an integration through the group's API token. */
  viaApi: boolean;
  mine: boolean;
  segments: Segment[];
  attachments: AttachmentView[];
  text: string;
  createdAt: string;
  edited: boolean;
  deleted: boolean;
  replyTo: { domId: string; authorName: string; excerpt: string; deleted: boolean } | null;
  receipt: ReceiptView | null;
  canDelete: boolean;
}

/** What the ticks need: every member's read pointer, with names for the "read by" list. */
export interface ReadState {
  members: { userId: number; name: string; lastRead: number }[];
}

export function readStateOf(members: ConversationMember[]): ReadState {
  return { members: members.map((m) => ({ userId: m.user.id, name: m.user.name, lastRead: m.lastReadMessageId })) };
}

/** Grey until read; in a group green only when every other member has read it. */
export function receiptFor(messageId: number, authorId: number, state: ReadState): ReceiptView {
  const others = state.members.filter((m) => m.userId !== authorId);
  const readers = others.filter((m) => m.lastRead >= messageId).map((m) => m.name);
  return { read: others.length > 0 && readers.length === others.length, readers };
}

export const domIdOf = (clientId: string) => `m-${clientId}`;

export function messageView(
  message: Message,
  viewerId: number,
  state: ReadState,
  viewerManages: boolean,
  objects: Map<string, LinkedObject> = new Map(),
): MessageView {
  const authorId = message.author?.id ?? null;
  const mine = authorId === viewerId;
  const deleted = !!message.deletedAt;
  const reply = message.replyTo;
  return {
    id: message.id,
    seq: message.seq,
    domId: domIdOf(message.clientId),
    clientId: message.clientId,
    conversationId: message.conversation.id,
    authorId,
    authorName: message.author?.name ?? message.displayName ?? '',
    viaApi: !!message.apiTokenId,
    mine,
    segments: deleted ? [] : segments(message.body, objects),
    attachments:
      deleted || !message.attachments.isInitialized()
        ? []
        : message.attachments.getItems().map((a) => ({
            id: a.id,
            name: a.name,
            size: a.size,
            image: !!a.thumbKey,
            width: a.width ?? null,
            height: a.height ?? null,
            href: `/files/${a.id}/${encodeURIComponent(a.name)}`,
            thumbnail: a.thumbKey ? `/files/${a.id}/thumbnail` : null,
          })),
    text: deleted ? '' : message.body,
    createdAt: message.createdAt.toISOString(),
    edited: !!message.editedAt && !deleted,
    deleted,
    replyTo: reply
      ? {
          domId: domIdOf(reply.clientId),
          authorName: reply.author?.name ?? '',
          excerpt: reply.deletedAt ? '' : reply.body.slice(0, 140),
          deleted: !!reply.deletedAt,
        }
      : null,
    receipt: mine && !deleted ? receiptFor(message.id, viewerId, state) : null,
    canDelete: !deleted && (mine || viewerManages),
  };
}
