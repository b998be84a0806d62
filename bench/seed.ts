import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { hashPassword } from '../src/accounts/password.hasher';
import { SESSION_COOKIE } from '../src/accounts/sessions.service';
import { hmac, sha256 } from '../src/security/tokens';

/**
 * Bulk SQL for what the bench does not measure: companies, users (one precomputed scrypt hash), sessions
 * (a user_session row per user: the cookie token's sha256 is its key), groups and their members.
 */
export const APP_SECRET = `bench-${randomBytes(16).toString('hex')}`;

/** A signed-in user as a page holds them: the session cookie and the CSRF token bound to it. */
export interface Member {
  userId: number;
  cookie: string;
  csrf: string;
}

let passwordHash: Promise<string> | undefined;

export async function createCompany(pool: Pool, name: string, operator = false): Promise<number> {
  const { rows } = await pool.query(`insert into company (name, plan, api_addon, is_operator) values ($1, 'enterprise', true, $2) returning id`, [
    name,
    operator,
  ]);
  return rows[0].id;
}

/** n active users named "<prefix> 0001"…, in name order = id order. */
export async function createUsers(pool: Pool, companyId: number, n: number, prefix: string): Promise<number[]> {
  passwordHash ??= hashPassword('bench password');
  const tag = randomBytes(3).toString('hex');
  const { rows } = await pool.query(
    `insert into app_user (company_id, name, email, role, password_hash, active)
     select $1, $2 || ' ' || lpad(i::text, 5, '0'), lower($2) || '.' || i || '.' || $3 || '@bench.test', 'user', $4, true
       from generate_series(1, $5) i
     order by i
     returning id`,
    [companyId, prefix, tag, await passwordHash, n],
  );
  return rows.map((r) => r.id as number).sort((a, b) => a - b);
}

export async function signIn(pool: Pool, companyId: number, userIds: number[]): Promise<Member[]> {
  const tokens = userIds.map(() => randomBytes(32).toString('base64url'));
  for (let from = 0; from < userIds.length; from += 5000) {
    await pool.query(
      `insert into user_session (token_hash, user_id, company_id, expires_at)
       select h, u, $3, now() + interval '30 days' from unnest($1::text[], $2::int[]) as t(h, u)`,
      [tokens.slice(from, from + 5000).map(sha256), userIds.slice(from, from + 5000), companyId],
    );
  }
  return userIds.map((userId, i) => ({ userId, cookie: `${SESSION_COOKIE}=${tokens[i]}`, csrf: hmac(APP_SECRET, `csrf:${tokens[i]}`) }));
}

export async function createGroup(pool: Pool, companyId: number, name: string, userIds: number[]): Promise<number> {
  const { rows } = await pool.query(`insert into conversation (company_id, kind, name, created_by_id) values ($1, 'group', $2, $3) returning id`, [
    companyId,
    name,
    userIds[0],
  ]);
  const id: number = rows[0].id;
  await pool.query(`insert into conversation_member (conversation_id, user_id, company_id) select $1, u, $2 from unnest($3::int[]) u`, [
    id,
    companyId,
    userIds,
  ]);
  return id;
}

/** Everyone has read everything: the unread counts Gwar computes on each send start from zero again. */
export async function markAllRead(pool: Pool, companyId: number): Promise<void> {
  await pool.query(`update conversation_member set last_read_message_id = (select coalesce(max(id), 0) from message) where company_id = $1`, [companyId]);
}

/** Nobody online: the next sockets announce their users again, as on a fresh morning. */
export async function resetPresence(pool: Pool): Promise<void> {
  await pool.query(`delete from presence_socket`);
  await pool.query(`update presence set shown = 'offline'`);
}
