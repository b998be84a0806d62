import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NotFoundException } from '@nestjs/common';
import { newToken, sha256 } from '../security/tokens';
import { Company } from './company.entity';
import { hashPassword } from './password.hasher';
import { has } from './plans';
import { SessionsService } from './sessions.service';
import { NewUserInput, UserInput } from './user.form';
import { User } from './user.entity';
import { EventEmitter2 } from '@nestjs/event-emitter';

const INVITE_DAYS = 7;

export interface CreatedUser {
  user: User;
  /** Shown once to the admin who created the user: only its hash is stored. */
  inviteToken?: string;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: SessionsService,
    private readonly events: EventEmitter2,
  ) {}

  list(): Promise<User[]> {
    return this.em.find(User, {}, { orderBy: { active: 'desc', name: 'asc', id: 'asc' } });
  }

  /** Only the signed-in user's company is searched, so another company's id is simply not found. */
  async get(id: number): Promise<User> {
    const user = Number.isSafeInteger(id) ? await this.em.findOne(User, { id }) : null;
    if (!user) throw new NotFoundException();
    return user;
  }

  /** E-mails are the sign-in name, so they are unique across all companies. */
  async emailTaken(email: string, exceptUserId?: number): Promise<boolean> {
    const found = await this.em.findOne(User, { email }, { filters: false, fields: ['id'] });
    return !!found && found.id !== exceptUserId;
  }

  async create(company: Company, input: NewUserInput): Promise<CreatedUser> {
    const user = new User(company, input.name, input.email, input.role);
    this.applyFlags(user, input, company);
    let inviteToken: string | undefined;
    if (input.access === 'password') user.passwordHash = await hashPassword(input.password);
    else inviteToken = this.invite(user);
    await this.em.persistAndFlush(user);
    return { user, inviteToken };
  }

  async update(user: User, input: UserInput, company: Company): Promise<void> {
    user.name = input.name;
    user.email = input.email;
    user.role = input.role;
    const wasAgent = user.supportAgent;
    this.applyFlags(user, input, company);
    await this.em.flush();
    // Open pages join or leave the support team's pushes at once, not at their next connection.
    if (user.supportAgent !== wasAgent) this.events.emit('accounts.support-agent.changed', { userId: user.id, supportAgent: user.supportAgent });
  }

  async deactivate(user: User): Promise<void> {
    user.active = false;
    await this.em.flush();
    await this.sessions.endAll(user);
  }

  async activate(user: User): Promise<void> {
    user.active = true;
    await this.em.flush();
  }

  /** A password reset: the old password stops working, open sessions end, and a fresh invite link is made. */
  async resetAccess(user: User): Promise<string> {
    user.passwordHash = null;
    const token = this.invite(user);
    await this.em.flush();
    await this.sessions.endAll(user);
    return token;
  }

  private invite(user: User): string {
    const token = newToken();
    user.inviteTokenHash = sha256(token);
    user.inviteExpiresAt = new Date(Date.now() + INVITE_DAYS * 86_400_000);
    return token;
  }

  /** A flag outside the company's plan is not on the form: it keeps what was stored, for when the plan has it again. */
  private applyFlags(user: User, input: UserInput, company: Company): void {
    if (has(company, 'livechat')) user.livechatConfigured = input.livechatConfigured;
    if (has(company, 'callback')) user.callbackConfigured = input.callbackConfigured;
    // Only the operator's own people can be on its support team.
    if (company.isOperator) user.supportAgent = input.supportAgent;
  }
}
