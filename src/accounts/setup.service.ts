import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Company } from './company.entity';
import { hashPassword } from './password.hasher';
import { OPERATOR_PLAN } from './plans';
import { User } from './user.entity';

export interface SetupInput {
  companyName: string;
  name: string;
  email: string;
  password: string;
}

/** The first start: the operator's own company and its first administrator. */
@Injectable()
export class SetupService {
  constructor(private readonly em: EntityManager) {}

  async done(): Promise<boolean> {
    return (await this.em.count(Company, { isOperator: true })) > 0;
  }

  /** Null when another request finished the setup first (a unique index allows one operator). */
  async run(input: SetupInput): Promise<User | null> {
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.em.transactional(async (em) => {
        const operator = new Company(input.companyName, OPERATOR_PLAN, true);
        operator.isOperator = true;
        const admin = new User(operator, input.name, input.email, 'admin');
        admin.passwordHash = passwordHash;
        em.persist([operator, admin]);
        return admin;
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505' && (await this.done())) return null;
      throw err;
    }
  }
}
