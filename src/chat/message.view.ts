import { isFormatted, Segment, segments } from './linkify';
import type { LinkedObject } from './object-links';
import { isRead, ReadWatermark } from './read-watermark';
import type { AvatarOf } from '../web/avatar';

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

/**
 * A message as every page shows it, whoever views it: the page marks its own user's messages ("mine", edit,
 * delete) from the author id and the window's rights, so one render per language serves everyone.
 */
export interface MessageView {
  id: number;
  seq: number;
  domId: string;
  clientId: string;
  conversationId: number;
  authorId: number | null;
  authorName: string;
  /**
   * Who the page groups consecutive messages by: a member (u), an integration (i, or t for a token without one)
   * or the support team's agent (s), so an integration's message never joins a member's group.
   */
  authorKey: string;
  /** Drawn for every author: a member's initials, an integration's bot mark, the support team's colour. */
  avatar: AvatarOf;
  /** Posted by an integration through the group's API token. */
  viaApi: boolean;
  integrationName: string;
  viaSupport: boolean;
  segments: Segment[];
  /** Shown other than as typed (styles, labelled links): the editor takes the text as typed. */
  formatted: boolean;
  attachments: AttachmentView[];
  text: string;
  createdAt: string;
  edited: boolean;
  deleted: boolean;
  /** Its author may edit it in place: text of a member, not deleted, no files. */
  editable: boolean;
  /** Every member but its author has read it (the green tick). */
  read: boolean;
  replyTo: { domId: string; authorName: string; excerpt: string; deleted: boolean } | null;
}

/** What a message's view is made of, read from SQL as plain rows (see message-records.ts). */
export interface MessageRecord {
  id: number;
  seq: number;
  clientId: string;
  conversationId: number;
  authorId: number | null;
  authorName: string | null;
  displayName: string | null;
  apiTokenId: number | null;
  /** Written by the operator's support team in a Help conversation. */
  supportAgentId: number | null;
  /** Posted by a group's integration: its API badge and name stay whatever becomes of its tokens. */
  integrationId: number | null;
  integrationName: string | null;
  body: string;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  replyTo: { clientId: string; authorName: string | null; body: string; deletedAt: Date | null } | null;
  attachments: { id: number; name: string; size: number; thumbKey: string | null; width: number | null; height: number | null }[];
}

export const domIdOf = (clientId: string) => `m-${clientId}`;

function authorOf(m: MessageRecord, name: string): { key: string; avatar: MessageView['avatar'] } {
  if (m.integrationId || m.apiTokenId) {
    const key = m.integrationId ? `i${m.integrationId}` : `t${m.apiTokenId}`;
    // The integration's own picture and name (a display name is per message; the identity is the integration's).
    const image = m.integrationId ? `/chat/integrations/${m.integrationId}/avatar` : undefined;
    return { key, avatar: { kind: 'bot', id: m.integrationId ?? m.apiTokenId ?? 0, name: m.integrationName || name || 'API', image } };
  }
  if (m.supportAgentId) return { key: `s${m.supportAgentId}`, avatar: { kind: 'support', id: m.supportAgentId, name } };
  return { key: m.authorId ? `u${m.authorId}` : '', avatar: { kind: 'user', id: m.authorId ?? 0, name } };
}

/** Called from the fragment seam only (message.fragments.ts), so every use renders the same. */
export function messageView(m: MessageRecord, read: ReadWatermark, objects: Map<string, LinkedObject>): MessageView {
  const deleted = !!m.deletedAt;
  const reply = m.replyTo;
  const parts = deleted ? [] : segments(m.body, objects);
  const authorName = m.authorName ?? m.displayName ?? '';
  const author = authorOf(m, authorName);
  return {
    id: m.id,
    seq: m.seq,
    domId: domIdOf(m.clientId),
    clientId: m.clientId,
    conversationId: m.conversationId,
    authorId: m.authorId,
    authorName,
    authorKey: author.key,
    avatar: author.avatar,
    viaApi: !!m.integrationId || !!m.apiTokenId,
    integrationName: m.integrationName ?? '',
    viaSupport: !!m.supportAgentId,
    segments: parts,
    formatted: isFormatted(parts),
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
    editable: !deleted && m.authorId !== null && !m.apiTokenId && !m.integrationId && !m.supportAgentId && m.attachments.length === 0,
    read: !deleted && isRead(read, m.id, m.authorId),
    replyTo: reply
      ? {
          domId: domIdOf(reply.clientId),
          authorName: reply.authorName ?? '',
          excerpt: reply.deletedAt ? '' : reply.body.slice(0, 140),
          deleted: !!reply.deletedAt,
        }
      : null,
  };
}
