import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sha256 } from '../security/tokens';
import { hashPassword } from './password.hasher';
import { User } from './user.entity';

/** One-time links that let a new (or reset) user choose their own password. */
@Injectable()
export class InvitationsService {
  constructor(private readonly em: EntityManager) {}

  /** The invited user, looked up by the link's token before anyone is signed in. */
  async find(token: string): Promise<User | null> {
    if (!token || token.length > 100) return null;
    const user = await this.em.findOne(
      User,
      { inviteTokenHash: sha256(token), inviteExpiresAt: { $gt: new Date() }, active: true },
      { filters: false, populate: ['company'] },
    );
    return user;
  }

  async accept(user: User, password: string): Promise<void> {
    user.passwordHash = await hashPassword(password);
    user.inviteTokenHash = null;
    user.inviteExpiresAt = null;
    await this.em.flush();
  }
}
