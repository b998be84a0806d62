import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { newToken, sha256 } from '../security/tokens';
import type { LivechatSettings } from './settings.service';
import { sql } from './sql';

export interface Visitor {
  id: number;
  companyId: number;
  name: string | null;
  email: string | null;
}

export const TOKEN_HEADER = 'x-livechat-token';

/**
 * A visitor is whoever holds a token this server issued: random, stored only as its hash, bound to one company's
 * widget. A visitor never names an id; a token of another widget, or one never issued, is nobody.
 */
@Injectable()
export class VisitorsService {
  constructor(private readonly em: EntityManager) {}

  async issue(settings: LivechatSettings): Promise<{ token: string; visitor: Visitor }> {
    const token = newToken(32);
    const [row] = await sql<{ id: number }>(this.em, `insert into livechat_visitor (company_id, token_hash) values (?, ?) returning id`, [
      settings.companyId,
      sha256(token),
    ]);
    return { token, visitor: { id: row.id, companyId: settings.companyId, name: null, email: null } };
  }

  async resolve(settings: LivechatSettings, token: unknown): Promise<Visitor | null> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const [row] = await sql<{ id: number; name: string | null; email: string | null }>(
      this.em,
      `update livechat_visitor set last_seen_at = now() where token_hash = ? and company_id = ? returning id, name, email`,
      [sha256(token), settings.companyId],
    );
    return row ? { id: row.id, companyId: settings.companyId, name: row.name, email: row.email } : null;
  }

  async describe(visitor: Visitor, details: { name?: string; email?: string }): Promise<void> {
    await sql(this.em, `update livechat_visitor set name = coalesce(?, name), email = coalesce(?, email) where id = ? and company_id = ?`, [
      details.name || null,
      details.email || null,
      visitor.id,
      visitor.companyId,
    ]);
  }
}
