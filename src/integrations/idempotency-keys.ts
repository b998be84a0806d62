import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** Keys are remembered this long (the IETF Idempotency-Key draft leaves it to the server; Stripe keeps 24 h). */
export const KEY_HOURS = 24;

/** The key is in use by another request (one that came at the same moment): nothing of this one is kept. */
export class KeyTaken extends Error {}

export interface UsedKey {
  requestHash: string;
  messageId: number;
}

/**
 * Idempotency keys of an integration (not of a token: a regenerated token keeps its integration's keys), each
 * bound to the request it was first used with, so a reused key with another body is refused rather than
 * answered with a message it did not ask for.
 */
@Injectable()
export class IdempotencyKeys {
  async find(em: EntityManager, companyId: number, integrationId: number, key: string): Promise<UsedKey | null> {
    const [row] = await em.getConnection().execute<{ request_hash: string; message_id: string }[]>(
      `select request_hash, message_id from api_idempotency_key
        where integration_id = ? and key = ? and company_id = ? and created_at > now() - make_interval(hours => ${KEY_HOURS})`,
      [integrationId, key, companyId],
    );
    return row ? { requestHash: row.request_hash, messageId: Number(row.message_id) } : null;
  }

  /** In the transaction that stores the message: a key still in use by another request throws KeyTaken (and rolls it back). */
  async remember(em: EntityManager, companyId: number, integrationId: number, key: string, requestHash: string, messageId: number): Promise<void> {
    const rows = await em.getConnection().execute<{ key: string }[]>(
      `insert into api_idempotency_key (integration_id, key, company_id, request_hash, message_id) values (?, ?, ?, ?, ?)
       on conflict (integration_id, key) do update set request_hash = excluded.request_hash, message_id = excluded.message_id, created_at = now()
        where api_idempotency_key.company_id = ? and api_idempotency_key.created_at <= now() - make_interval(hours => ${KEY_HOURS})
       returning key`,
      [integrationId, key, companyId, requestHash, messageId, companyId],
      'all',
      em.getTransactionContext(),
    );
    if (!rows.length) throw new KeyTaken();
  }
}
