import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { Company } from '../src/accounts/company.entity';
import { OPERATOR_PLAN } from '../src/accounts/plans';
import { hashPassword } from '../src/accounts/password.hasher';
import { Role, User } from '../src/accounts/user.entity';
import { Session } from '../src/accounts/session.entity';
import { loadConfig } from '../src/config/app-config';
import { startEmbeddedDatabase } from '../src/database/embedded-database';
import { ormConfig } from '../src/database/orm-config';

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_COMPANY = 'Demo Sp. z o.o.';
export const OPERATOR_EMAIL = 'operator@demo.gwar.test';

interface DemoUser {
  name: string;
  email: string;
  role: Role;
  livechat?: boolean;
  callback?: boolean;
}

export const DEMO_USERS: DemoUser[] = [
  { name: 'Anna Nowak', email: 'anna@demo.gwar.test', role: 'admin' },
  { name: 'Tomasz Mazur', email: 'tomasz@demo.gwar.test', role: 'admin', livechat: true },
  { name: 'Piotr Wiśniewski', email: 'piotr@demo.gwar.test', role: 'director' },
  { name: 'Ewa Kowalczyk', email: 'ewa@demo.gwar.test', role: 'director', callback: true },
  { name: 'Marta Zielińska', email: 'marta@demo.gwar.test', role: 'user', livechat: true },
  { name: 'Jan Kamiński', email: 'jan@demo.gwar.test', role: 'user', callback: true },
  { name: 'Katarzyna Lewandowska', email: 'katarzyna@demo.gwar.test', role: 'user', livechat: true, callback: true },
  { name: 'Michał Wójcik', email: 'michal@demo.gwar.test', role: 'user' },
  { name: 'Agnieszka Dąbrowska', email: 'agnieszka@demo.gwar.test', role: 'user' },
  { name: 'Paweł Szymański', email: 'pawel@demo.gwar.test', role: 'user' },
  { name: 'Magdalena Woźniak', email: 'magdalena@demo.gwar.test', role: 'user' },
  { name: 'Krzysztof Kozłowski', email: 'krzysztof@demo.gwar.test', role: 'user' },
];

/** Creates (once) a demo company with a dozen users of every role, and an operator if there is none yet. */
export async function seedDemo(orm: MikroORM): Promise<{ created: boolean }> {
  const em = orm.em.fork();
  if (await em.findOne(Company, { name: DEMO_COMPANY, isOperator: false })) return { created: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await em.transactional(async (tx) => {
    if (!(await tx.findOne(Company, { isOperator: true }))) {
      const operator = new Company('Gwar Operator', OPERATOR_PLAN, true);
      operator.isOperator = true;
      const admin = new User(operator, 'Olga Operator', OPERATOR_EMAIL, 'admin');
      admin.passwordHash = passwordHash;
      // She also answers the Help conversations, so the demo shows both sides of the Help chat.
      admin.supportAgent = true;
      tx.persist([operator, admin]);
    }
    const company = new Company(DEMO_COMPANY, 'enterprise', true);
    tx.persist(company);
    for (const entry of DEMO_USERS) {
      const user = new User(company, entry.name, entry.email, entry.role);
      user.passwordHash = passwordHash;
      user.livechatConfigured = !!entry.livechat;
      user.callbackConfigured = !!entry.callback;
      tx.persist(user);
    }
  });
  return { created: true };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const database = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => undefined }
    : await startEmbeddedDatabase(config.dataDir, { port: config.embeddedPgPort });
  const orm = await MikroORM.init({ ...ormConfig(database.url, config.databaseSchema, () => undefined), entities: [Company, User, Session] });
  try {
    await orm.getMigrator().up();
    const { created } = await seedDemo(orm);
    console.log(created ? `Created the demo company "${DEMO_COMPANY}".` : `The demo company "${DEMO_COMPANY}" is already there.`);
    console.log(`Sign in at http://localhost:${config.port} with any of these (password: ${DEMO_PASSWORD}):`);
    for (const user of DEMO_USERS) console.log(`  ${user.email.padEnd(28)} ${user.role.padEnd(9)} ${user.name}`);
    console.log(`  ${OPERATOR_EMAIL.padEnd(28)} operator  (company accounts; only if the setup page had not been used)`);
  } finally {
    await orm.close();
    await database.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
