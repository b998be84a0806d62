import 'reflect-metadata';
import { loadConfig } from '../src/config/app-config';
import { startEmbeddedDatabase } from '../src/database/embedded-database';
import { DEMO_PASSWORD, OPERATOR_EMAIL, seedDemo } from './demo/demo-seed';

export { DEMO_PASSWORD, OPERATOR_EMAIL };

/**
 * `npm run demo`: the demo companies with their people, a few days of conversation and CRM records, made through
 * the app itself on the server's database (the embedded one, shared with a running server, or DATABASE_URL).
 */
async function main(): Promise<void> {
  const config = { ...loadConfig(), logRequests: false };
  const database = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => undefined }
    : await startEmbeddedDatabase(config.dataDir, { port: config.embeddedPgPort });
  try {
    const { createApp } = await import('../src/app.factory');
    const app = await createApp(config, database.url, ['warn', 'error']);
    try {
      const outcomes = await seedDemo(app, { baseUrl: `http://localhost:${config.port}` });
      for (const { company, created, seeded } of outcomes) {
        const records = company.records.length + company.conversations.flatMap((c) => c.lines).filter((l) => l.makes).length;
        const what = seeded
          ? `${created ? 'Created' : 'Filled'} the demo company "${company.name}": ${company.conversations.length} conversations over the last four days, ${records} CRM records.`
          : `The demo company "${company.name}" is already there with its conversations: nothing changed.`;
        console.log(what);
      }
      console.log(`Sign in at http://localhost:${config.port} with any of these (password: ${DEMO_PASSWORD}):`);
      for (const { company } of outcomes) {
        console.log(`  ${company.name}`);
        for (const person of company.people) console.log(`    ${person.email.padEnd(28)} ${person.role.padEnd(9)} ${person.name}`);
      }
      console.log(`  ${OPERATOR_EMAIL.padEnd(30)} operator  (company accounts; only if the setup page had not been used)`);
    } finally {
      await app.close();
    }
  } finally {
    await database.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
