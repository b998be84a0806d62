import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { newToken, sha256 } from '../security/tokens';
import type { LivechatSettings } from './settings.service';
import { sql } from './sql';

export interface Visitor {
  id: number;
  companyId: number;
  name: string | null;
  email: string | null;
  /** The e-mail is one the website vouched for (an HMAC with the widget's identity secret), not one typed. */
  verified: boolean;
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
    return { token, visitor: { id: row.id, companyId: settings.companyId, name: null, email: null, verified: false } };
  }

  async resolve(settings: LivechatSettings, token: unknown): Promise<Visitor | null> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const [row] = await sql<{ id: number; name: string | null; email: string | null; verified: boolean }>(
      this.em,
      `update livechat_visitor set last_seen_at = now() where token_hash = ? and company_id = ? returning id, name, email, verified`,
      [sha256(token), settings.companyId],
    );
    return row ? { id: row.id, companyId: settings.companyId, name: row.name, email: row.email, verified: row.verified } : null;
  }

  async touch(em: EntityManager, visitorId: number, companyId: number): Promise<void> {
    await sql(em, `update livechat_visitor set last_seen_at = now() where id = ? and company_id = ?`, [visitorId, companyId]);
  }

  /** What the visitor typed: a different e-mail than a verified one is theirs to give, but no longer verified. */
  async describe(visitor: Visitor, details: { name?: string; email?: string }): Promise<void> {
    await sql(
      this.em,
      `update livechat_visitor set name = coalesce(?, name), email = coalesce(?::text, email),
              verified = case when ?::text is null or ?::text = email then verified else false end
        where id = ? and company_id = ?`,
      [details.name || null, details.email || null, details.email || null, details.email || null, visitor.id, visitor.companyId],
    );
  }

  /**
   * The website's word for who the visitor is: the e-mail and its HMAC-SHA256 with the widget's secret (hex),
   * compared in constant time. Only a match marks the visitor verified; anything else changes nothing.
   */
  async verify(settings: LivechatSettings, visitor: Visitor, email: string, mac: string): Promise<boolean> {
    if (!settings.identitySecret || !email || email.length > 254 || !/^[0-9a-fA-F]{64}$/.test(mac)) return false;
    const expected = createHmac('sha256', settings.identitySecret).update(email).digest();
    if (!timingSafeEqual(expected, Buffer.from(mac, 'hex'))) return false;
    await sql(this.em, `update livechat_visitor set email = ?, verified = true where id = ? and company_id = ?`, [email, visitor.id, visitor.companyId]);
    return true;
  }
}
