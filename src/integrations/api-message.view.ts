import type { MessageRecord } from '../chat/message.view';
import type { PostedMessage } from './api-message.dto';

/** A message as the API shows it: who wrote it, and nothing of a deleted one's text. */
export function apiMessage(m: MessageRecord): PostedMessage {
  const author =
    m.authorId !== null
      ? { type: 'user' as const, id: m.authorId, name: m.authorName ?? '' }
      : m.supportAgentId
        ? { type: 'support' as const, id: null, name: m.displayName ?? '' }
        : { type: 'integration' as const, id: null, name: m.displayName ?? m.integrationName ?? '' };
  return {
    id: m.id,
    groupId: m.conversationId,
    text: m.deletedAt ? '' : m.body,
    displayName: m.displayName ?? null,
    createdAt: m.createdAt.toISOString(),
    editedAt: m.editedAt?.toISOString() ?? null,
    deleted: !!m.deletedAt,
    author,
  };
}
