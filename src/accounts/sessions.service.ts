import { EntityData } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { prepared } from '../database/prepared';
import { LimitsService } from '../security/limits.service';
import { newToken, sha256 } from '../security/tokens';
import type { AuthContext } from '../web/gwar-request';
import { Company } from './company.entity';
import { dummyPasswordHash, verifyPassword } from './password.hasher';
import { Session } from './session.entity';
import { User } from './user.entity';

export const SESSION_COOKIE = 'gwar_session';

export type SignInResult = { ok: true; token: string; user: User } | { ok: false; reason: 'invalid' | 'throttled'; retryAfterSeconds?: number };

@Injectable()
export class SessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly limits: LimitsService,
    private readonly events: EventEmitter2,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async signIn(email: string, password: string, address: string, userAgent?: string): Promise<SignInResult> {
    // Per e-mail whatever the address (a spread-out guess at one account), and per address whatever the e-mail.
    const perEmail = await this.limits.consume('signInEmail', email);
    const perAddress = await this.limits.consume('signInAddress', address);
    if (!perEmail.allowed || !perAddress.allowed) {
      return { ok: false, reason: 'throttled', retryAfterSeconds: Math.max(perEmail.retryAfterSeconds, perAddress.retryAfterSeconds) };
    }
    // Sign-in is the one place that looks a user up before their company is known.
    const user = await this.em.findOne(User, { email }, { filters: false, populate: ['company'] });
    const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !valid || !user.active) return { ok: false, reason: 'invalid' };
    await this.limits.reset('signInEmail', email);
    return { ok: true, token: await this.start(user, userAgent), user };
  }

  async start(user: User, userAgent?: string): Promise<string> {
    const token = newToken();
    const expires = new Date(Date.now() + this.config.sessionDays * 86_400_000);
    const session = new Session(sha256(token), user, expires);
    session.userAgent = userAgent?.slice(0, 300) ?? null;
    await this.em.persistAndFlush(session);
    return token;
  }

  /** The signed-in user for a cookie token, or null when it is unknown, expired or the user is deactivated. */
  async resolve(token: string | undefined, em: EntityManager = this.em): Promise<AuthContext | null> {
    if (!token || token.length > 100) return null;
    // Every request comes through here, so it is one prepared statement mapped by hand: the ORM's populating
    // findOne took four times the CPU (npm run bench). Sessions are not company-scoped: the token is the key.
    const [row] = await prepared<{ user: EntityData<User>; company: EntityData<Company> }>(
      em,
      'session',
      `/* all companies: a session is found by its token, before its company is known */
       select to_jsonb(u) as "user", to_jsonb(c) as company
         from user_session s join app_user u on u.id = s.user_id and u.company_id = s.company_id join company c on c.id = s.company_id
        where s.token_hash = ? and s.expires_at > ? and u.active`,
      [sha256(token), new Date()],
    );
    if (!row) return null;
    const company = em.map(Company, row.company);
    return { user: em.map(User, row.user), company, sessionToken: token };
  }

  async end(token: string): Promise<void> {
    const tokenHash = sha256(token);
    await this.em.nativeDelete(Session, { tokenHash }, { filters: false });
    this.events.emit('accounts.session.ended', { tokenHash });
  }

  /** Ends every session of the user, and tells the realtime layer to drop their sockets. */
  async endAll(user: User): Promise<void> {
    await this.em.nativeDelete(Session, { user: user.id }, { filters: false });
    this.events.emit('accounts.sessions.ended', { userId: user.id });
  }
}
