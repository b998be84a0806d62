import { EntityManager } from '@mikro-orm/postgresql';
import type { MessageRecord } from './message.view';

export interface RecordRow {
  id: string;
  seq: string;
  client_id: string;
  conversation_id: number;
  author_id: number | null;
  author_name: string | null;
  display_name: string | null;
  api_token_id: number | null;
  support_agent_id: number | null;
  integration_id: number | null;
  integration_name: string | null;
  body: string;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  reply_client_id: string | null;
  reply_author_name: string | null;
  reply_excerpt: string | null;
  reply_deleted_at: string | null;
  attachments: MessageRecord['attachments'] | null;
}

export const COLUMNS = `id, seq, client_id, conversation_id, author_id, display_name, api_token_id, support_agent_id, integration_id, integration_name, body, created_at, edited_at, deleted_at, reply_to_id`;

/**
 * Messages as their views need them, in one statement, as plain rows: `messages` is a query (or a CTE's name)
 * giving message rows, `order` orders the result. Its parameters come as: the company, then those of
 * `messages`, then the company three times; every table is constrained by the company, as the filter would.
 */
export function recordQuery(messages: string, order: string, extraColumns = ''): string {
  return `select m.id, m.seq, m.client_id, m.conversation_id, m.author_id, a.name as author_name, m.display_name, m.api_token_id, m.support_agent_id, m.integration_id, m.integration_name,
            m.body, m.created_at, m.edited_at, m.deleted_at,
            r.client_id as reply_client_id, ra.name as reply_author_name, left(r.body, 140) as reply_excerpt, r.deleted_at as reply_deleted_at,
            (select json_agg(json_build_object('id', f.id, 'name', f.name, 'size', f.size, 'thumbKey', f.thumb_key, 'width', f.width, 'height', f.height) order by f.id)
               from attachment f where f.message_id = m.id and f.company_id = ?) as attachments${extraColumns}
       from (${messages}) m
       left join app_user a on a.id = m.author_id and a.company_id = ?
       left join message r on r.id = m.reply_to_id and r.company_id = ?
       left join app_user ra on ra.id = r.author_id and ra.company_id = ?
      order by ${order}`;
}

export function recordParams(companyId: number, messageParams: unknown[]): unknown[] {
  return [companyId, ...messageParams, companyId, companyId, companyId];
}

/** A row as the record the views render; timestamps come as PostgreSQL's text, read the way the ORM reads them. */
export function recordOf(em: EntityManager, row: RecordRow): MessageRecord {
  const platform = em.getPlatform();
  const date = (value: string | null) => (value === null ? null : platform.parseDate(value));
  return {
    id: Number(row.id),
    seq: Number(row.seq),
    clientId: row.client_id,
    conversationId: row.conversation_id,
    authorId: row.author_id,
    authorName: row.author_name,
    displayName: row.display_name,
    apiTokenId: row.api_token_id,
    supportAgentId: row.support_agent_id,
    integrationId: row.integration_id,
    integrationName: row.integration_name,
    body: row.body,
    createdAt: platform.parseDate(row.created_at),
    editedAt: date(row.edited_at),
    deletedAt: date(row.deleted_at),
    replyTo:
      row.reply_client_id === null
        ? null
        : { clientId: row.reply_client_id, authorName: row.reply_author_name, body: row.reply_excerpt ?? '', deletedAt: date(row.reply_deleted_at) },
    attachments: row.attachments ?? [],
  };
}

async function read(em: EntityManager, companyId: number, messages: string, params: unknown[], order: string): Promise<MessageRecord[]> {
  const rows = await em.getConnection().execute<RecordRow[]>(recordQuery(messages, order), recordParams(companyId, params), 'all', em.getTransactionContext());
  return rows.map((row) => recordOf(em, row));
}

/** The newest `limit` messages before a message id (all when none), newest first: keyset paging on (conversation_id, id). */
export function messagesBefore(
  em: EntityManager,
  companyId: number,
  conversationId: number,
  beforeId: number | undefined,
  limit: number,
): Promise<MessageRecord[]> {
  return read(
    em,
    companyId,
    `select ${COLUMNS} from message where company_id = ? and conversation_id = ?${beforeId ? ' and id < ?' : ''} order by id desc limit ?`,
    [companyId, conversationId, ...(beforeId ? [beforeId] : []), limit],
    'm.id desc',
  );
}

/** The oldest `limit` messages from a message id on (that one included), oldest first. */
export function messagesFrom(em: EntityManager, companyId: number, conversationId: number, fromId: number, limit: number): Promise<MessageRecord[]> {
  return read(
    em,
    companyId,
    `select ${COLUMNS} from message where company_id = ? and conversation_id = ? and id >= ? order by id limit ?`,
    [companyId, conversationId, fromId, limit],
    'm.id',
  );
}

/** The first `limit` messages changed after a change sequence, in order. */
export function messagesChangedSince(em: EntityManager, companyId: number, conversationId: number, seq: number, limit: number): Promise<MessageRecord[]> {
  return read(
    em,
    companyId,
    `select ${COLUMNS} from message where company_id = ? and conversation_id = ? and seq > ? order by seq limit ?`,
    [companyId, conversationId, seq, limit],
    'm.seq',
  );
}

/** One message by id, as it is now. */
export async function messageById(em: EntityManager, companyId: number, messageId: number): Promise<MessageRecord | undefined> {
  const [record] = await read(em, companyId, `select ${COLUMNS} from message where company_id = ? and id = ?`, [companyId, messageId], 'm.id');
  return record;
}

/** A conversation's message by the client id its page gave it. */
export async function messageByClientId(em: EntityManager, companyId: number, conversationId: number, clientId: string): Promise<MessageRecord | undefined> {
  const [record] = await read(
    em,
    companyId,
    `select ${COLUMNS} from message where company_id = ? and conversation_id = ? and client_id = ?::uuid`,
    [companyId, conversationId, clientId],
    'm.id',
  );
  return record;
}
