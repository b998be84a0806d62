import { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { Company, Plan } from '../../src/accounts/company.entity';
import { hashPassword } from '../../src/accounts/password.hasher';
import { Role, User } from '../../src/accounts/user.entity';

export const PASSWORD = 'correct horse battery';

let passwordHash: Promise<string> | undefined;

export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export async function createCompany(em: EntityManager, options: { name?: string; plan?: Plan; apiAddon?: boolean; operator?: boolean } = {}): Promise<Company> {
  const company = new Company(options.name ?? unique('Company'), options.plan ?? 'enterprise', options.apiAddon ?? true);
  company.isOperator = options.operator ?? false;
  await em.persistAndFlush(company);
  return company;
}

export async function createUser(
  em: EntityManager,
  company: Company,
  options: { name?: string; email?: string; role?: Role; active?: boolean } = {},
): Promise<User> {
  passwordHash ??= hashPassword(PASSWORD);
  const name = options.name ?? unique('User');
  const user = new User(
    company,
    name,
    options.email ?? `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${randomBytes(3).toString('hex')}@example.com`,
    options.role ?? 'user',
  );
  user.passwordHash = await passwordHash;
  user.active = options.active ?? true;
  await em.persistAndFlush(user);
  return user;
}

/** Two companies with an admin, a director and a plain user each, for isolation tests. */
export async function createTwoCompanies(em: EntityManager) {
  const make = async (label: string) => {
    const company = await createCompany(em, { name: unique(label) });
    return {
      company,
      admin: await createUser(em, company, { role: 'admin', name: unique(`${label}-admin`) }),
      director: await createUser(em, company, { role: 'director', name: unique(`${label}-director`) }),
      user: await createUser(em, company, { role: 'user', name: unique(`${label}-user`) }),
    };
  };
  return { a: await make('A'), b: await make('B') };
}

/** `count` messages written straight into a conversation ("<label> 1"…), seq from `firstSeq`: history without a send each. */
export async function insertMessages(
  em: EntityManager,
  at: { companyId: number; conversationId: number; authorId: number },
  count: number,
  options: { label?: string; firstSeq?: number } = {},
): Promise<void> {
  await em.getConnection().execute(
    `insert into message (company_id, conversation_id, author_id, client_id, body, seq)
     select ?, ?, ?, gen_random_uuid(), ? || ' ' || n, ? + n - 1 from generate_series(1, ?) as n`,
    [at.companyId, at.conversationId, at.authorId, options.label ?? 'bulk', options.firstSeq ?? 1, count],
  );
}
