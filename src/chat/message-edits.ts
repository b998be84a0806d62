import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { recordOf, recordQuery, RecordRow } from './message-records';
import type { MessageRecord } from './message.view';
import { objectRefsIn } from './object-links';

/**
 * A change to a stored message as one statement: the message row is locked and checked again after any
 * change that committed meanwhile (an edit that waited for a deletion finds nothing left to edit), the
 * conversation's change sequence is bumped only when something changes, and the message is read back.
 */
function change(target: string, set: string): string {
  return `with target as (${target} for update of m),
    bumped as (
      update conversation c set change_seq = c.change_seq + 1 from target where c.id = target.conversation_id and c.company_id = target.company_id
      returning c.change_seq
    ), changed as (
      update message m set ${set}, seq = bumped.change_seq from target, bumped where m.id = target.id and m.company_id = target.company_id returning m.*
    )
    ${recordQuery('select * from changed', 'm.id')}`;
}

const MEMBER = `exists (select 1 from conversation_member cm where cm.conversation_id = m.conversation_id and cm.user_id = ? and cm.company_id = m.company_id)`;

const EDIT_SQL = change(
  `select m.id, m.conversation_id, m.company_id from message m
    where m.id = ? and m.company_id = ? and m.author_id = ? and m.deleted_at is null and m.body <> ? and ${MEMBER}
      and not exists (select 1 from attachment f where f.message_id = m.id and f.company_id = m.company_id)`,
  `body = ?, edited_at = now()`,
);

const DELETE_SQL = change(
  `select m.id, m.conversation_id, m.company_id from message m join conversation c on c.id = m.conversation_id and c.company_id = m.company_id
    where m.id = ? and m.company_id = ? and m.deleted_at is null and ${MEMBER} and (m.author_id = ? or (c.kind = 'group' and ?::boolean))`,
  `body = '', deleted_at = now()`,
);

/** An integration's own message in its group: the only ones its token may change. */
const INTEGRATION_OWN = `m.id = ? and m.company_id = ? and m.conversation_id = ? and m.integration_id = ? and m.deleted_at is null`;
const EDIT_BY_INTEGRATION_SQL = change(
  `select m.id, m.conversation_id, m.company_id from message m where ${INTEGRATION_OWN} and m.body <> ?
      and not exists (select 1 from attachment f where f.message_id = m.id and f.company_id = m.company_id)`,
  `body = ?, edited_at = now()`,
);
const DELETE_BY_INTEGRATION_SQL = change(
  `select m.id, m.conversation_id, m.company_id from message m where ${INTEGRATION_OWN}`,
  `body = '', deleted_at = now()`,
);

@Injectable()
export class MessageEdits {
  /** An integration's change to its own message; undefined when there is nothing of its own, alive (and changed), to change. */
  async byIntegration(
    em: EntityManager,
    at: { companyId: number; conversationId: number; integrationId: number },
    messageId: number,
    body: string | null,
  ): Promise<MessageRecord | undefined> {
    const { companyId, conversationId, integrationId } = at;
    return em.transactional(async (tx) => {
      const row =
        body === null
          ? await this.run(tx, DELETE_BY_INTEGRATION_SQL, [messageId, companyId, conversationId, integrationId, ...Array<number>(4).fill(companyId)])
          : await this.run(tx, EDIT_BY_INTEGRATION_SQL, [messageId, companyId, conversationId, integrationId, body, body, ...Array<number>(4).fill(companyId)]);
      if (row) await this.indexLinks(tx, { id: row.id, conversationId, companyId, body: body ?? '', deleted: body === null });
      return row;
    });
  }

  /** The new text of one's own message; undefined when there is nothing of one's own, alive and changed, to edit. */
  async edit(em: EntityManager, companyId: number, userId: number, messageId: number, body: string): Promise<MessageRecord | undefined> {
    return em.transactional(async (tx) => {
      const row = await this.run(tx, EDIT_SQL, [messageId, companyId, userId, body, userId, body, ...Array<number>(4).fill(companyId)]);
      if (row) await this.indexLinks(tx, { id: row.id, conversationId: row.conversationId, companyId, body, deleted: false });
      return row;
    });
  }

  /** A deleted message keeps no text (its files go after it: see UploadsService); undefined when there is nothing to delete. */
  async delete(em: EntityManager, companyId: number, userId: number, manages: boolean, messageId: number): Promise<MessageRecord | undefined> {
    return em.transactional(async (tx) => {
      const row = await this.run(tx, DELETE_SQL, [messageId, companyId, userId, userId, manages, ...Array<number>(4).fill(companyId)]);
      if (row) await this.indexLinks(tx, { id: row.id, conversationId: row.conversationId, companyId, body: '', deleted: true });
      return row;
    });
  }

  /** Remembers which objects a message links to, so that a change to one reaches the conversations showing it. */
  async indexLinks(
    em: EntityManager,
    message: { id: number; conversationId: number; companyId: number; body: string; deleted: boolean },
    isNew = false,
  ): Promise<void> {
    const conn = em.getConnection();
    const ctx = em.getTransactionContext();
    if (!isNew) await conn.execute(`delete from message_link where message_id = ? and company_id = ?`, [message.id, message.companyId], 'run', ctx);
    for (const ref of message.deleted ? [] : objectRefsIn(message.body)) {
      await conn.execute(
        `insert into message_link (message_id, conversation_id, company_id, kind, object_id) values (?, ?, ?, ?, ?) on conflict do nothing`,
        [message.id, message.conversationId, message.companyId, ref.kind, ref.id],
        'run',
        ctx,
      );
    }
  }

  private async run(em: EntityManager, sql: string, params: unknown[]): Promise<MessageRecord | undefined> {
    const [row] = await em.getConnection().execute<RecordRow[]>(sql, params, 'all', em.getTransactionContext());
    return row && recordOf(em, row);
  }
}
