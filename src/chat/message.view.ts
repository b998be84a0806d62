import type { ConversationMember } from './conversation-member.entity';
import { Segment, segments } from './linkify';
import type { LinkedObject } from './object-links';
import { Message } from './message.entity';

export interface ReceiptView {
  read: boolean;
  /** The first of those who have read it, by name; in a big group the rest are only counted. */
  readers: string[];
  moreReaders: number;
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

/**
 * What a message's view is made of. History reads it straight from SQL (see message-records.ts); a message
 * loaded as an entity (a send, a push) is turned into one, so both render the same.
 */
export interface MessageRecord {
  id: number;
  seq: number;
  clientId: string;
  conversationId: number;
  authorId: number | null;
  authorName: string | null;
  displayName: string | null;
  apiTokenId: number | null;
  body: string;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  replyTo: { clientId: string; authorName: string | null; body: string; deletedAt: Date | null } | null;
  attachments: { id: number; name: string; size: number; thumbKey: string | null; width: number | null; height: number | null }[];
}

export function recordOf(message: Message): MessageRecord {
  const reply = message.replyTo;
  return {
    id: message.id,
    seq: message.seq,
    clientId: message.clientId,
    conversationId: message.conversation.id,
    authorId: message.author?.id ?? null,
    authorName: message.author?.name ?? null,
    displayName: message.displayName ?? null,
    apiTokenId: message.apiTokenId ?? null,
    body: message.body,
    createdAt: message.createdAt,
    editedAt: message.editedAt ?? null,
    deletedAt: message.deletedAt ?? null,
    replyTo: reply ? { clientId: reply.clientId, authorName: reply.author?.name ?? null, body: reply.body, deletedAt: reply.deletedAt ?? null } : null,
    attachments: message.attachments.isInitialized()
      ? message.attachments
          .getItems()
          .map((a) => ({ id: a.id, name: a.name, size: a.size, thumbKey: a.thumbKey ?? null, width: a.width ?? null, height: a.height ?? null }))
      : [],
  };
}

/** What the ticks need: every member's read pointer, with names for the "read by" list. */
export interface ReadState {
  members: { userId: number; name: string; lastRead: number }[];
}

export function readStateOf(members: ConversationMember[]): ReadState {
  return { members: members.map((m) => ({ userId: m.user.id, name: m.user.name, lastRead: m.lastReadMessageId })) };
}

const READERS_NAMED = 10;

/** Grey until read; in a group green only when every other member has read it. */
export function receiptFor(messageId: number, authorId: number, state: ReadState): ReceiptView {
  const others = state.members.filter((m) => m.userId !== authorId);
  const readers = others.filter((m) => m.lastRead >= messageId);
  return {
    read: others.length > 0 && readers.length === others.length,
    readers: readers.slice(0, READERS_NAMED).map((m) => m.name),
    moreReaders: Math.max(0, readers.length - READERS_NAMED),
  };
}

export const domIdOf = (clientId: string) => `m-${clientId}`;

export function messageView(
  message: Message | MessageRecord,
  viewerId: number,
  state: ReadState,
  viewerManages: boolean,
  objects: Map<string, LinkedObject> = new Map(),
): MessageView {
  const m = message instanceof Message ? recordOf(message) : message;
  const mine = m.authorId === viewerId;
  const deleted = !!m.deletedAt;
  const reply = m.replyTo;
  return {
    id: m.id,
    seq: m.seq,
    domId: domIdOf(m.clientId),
    clientId: m.clientId,
    conversationId: m.conversationId,
    authorId: m.authorId,
    authorName: m.authorName ?? m.displayName ?? '',
    viaApi: !!m.apiTokenId,
    mine,
    segments: deleted ? [] : segments(m.body, objects),
    attachments: deleted
      ? []
      : m.attachments.map((a) => ({
          id: a.id,
          name: a.name,
          size: a.size,
          image: !!a.thumbKey,
          width: a.width,
          height: a.height,
          href: `/files/${a.id}/${encodeURIComponent(a.name)}`,
          thumbnail: a.thumbKey ? `/files/${a.id}/thumbnail` : null,
        })),
    text: deleted ? '' : m.body,
    createdAt: m.createdAt.toISOString(),
    edited: !!m.editedAt && !deleted,
    deleted,
    replyTo: reply
      ? {
          domId: domIdOf(reply.clientId),
          authorName: reply.authorName ?? '',
          excerpt: reply.deletedAt ? '' : reply.body.slice(0, 140),
          deleted: !!reply.deletedAt,
        }
      : null,
    receipt: mine && !deleted ? receiptFor(m.id, viewerId, state) : null,
    canDelete: !deleted && (mine || viewerManages),
  };
}
