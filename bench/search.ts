import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../src/database/orm-config';
import { searchMessages } from '../src/search/message-search';
import { openDatabase } from './database';
import { createCompany, createGroup, createUsers } from './seed';
import { summarize } from './stats';

/**
 * Message search on a million messages (`node -r ./test/support/ts-register.js bench/search.ts [messages]`):
 * one company's 200 groups, the searcher a member of 20 of them (so a tenth of the messages are theirs), a
 * second company beside it; each message eight words, mostly from a Zipf-like pool of 5,000 made-up words
 * with real Polish and English words mixed in at known rates. Filled in one insert … select generate_series
 * (the stored vector computed as it goes), the GIN index built after, as a restore would. Each query is timed
 * as the app runs it (SQL of src/search/message-search.ts, excerpts included), p50 of several runs.
 */
const MESSAGES = Number(process.argv[2] ?? 1_000_000);
const RUNS = 7;

const REAL = [
  'faktura',
  'fakturę',
  'faktury',
  'fakturach',
  'klient',
  'klienta',
  'klientowi',
  'klientów',
  'oferta',
  'ofercie',
  'spotkanie',
  'spotkania',
  'umowa',
  'umowy',
  'raport',
  'raportu',
  'invoice',
  'invoices',
  'meeting',
  'meetings',
  'running',
  'shipped',
  'delivery',
  'deliveries',
];

async function main(): Promise<void> {
  const db = await openDatabase();
  const log = (s: string) => console.log(s);
  try {
    const orm = await MikroORM.init({ ...ormConfig(db.url, db.schema, () => undefined), entities: [], discovery: { warnWhenNoEntities: false } });
    await orm.getMigrator().up();
    const companyId = await createCompany(db.pool, 'Search Ltd');
    const otherId = await createCompany(db.pool, 'Other Ltd');
    const users = await createUsers(db.pool, companyId, 50, 'Searcher');
    const [others] = await createUsers(db.pool, otherId, 1, 'Outsider');
    const groups: number[] = [];
    for (let g = 0; g < 200; g++)
      groups.push(await createGroup(db.pool, companyId, `Group ${g}`, g < 20 ? [users[0], users[1 + (g % 49)]] : [users[1 + (g % 49)]]));
    const otherGroup = await createGroup(db.pool, otherId, 'Other', [others]);
    await db.pool.query(`drop index message_search`);
    const started = Date.now();
    // Word k of message i: a real word one time in 400 (so each real word is in about 1 in 10,000 words), else
    // w<n> with n = floor(5000^r): the low numbers common, the high ones rare.
    await db.pool.query(
      `insert into message (company_id, conversation_id, author_id, client_id, body, seq)
       select case when i % 50 = 0 then $5::int else $1::int end, case when i % 50 = 0 then $6::int else ($2::int[])[1 + i % 200] end,
              case when i % 50 = 0 then $7::int else $3::int end, gen_random_uuid(),
              (select string_agg(case when random() < 0.0025 then ($8::text[])[1 + floor(random() * $9)::int] else 'w' || floor(power(5000, random()))::int end, ' ')
                 from generate_series(1, 8) k where k > 0 * i),
              i
         from generate_series(1, $4::int) i`,
      [companyId, groups, users[1], MESSAGES, otherId, otherGroup, others, REAL, REAL.length],
    );
    const filled = (Date.now() - started) / 1000;
    const indexStart = Date.now();
    await db.pool.query(`create index message_search on message using gin (search_vector)`);
    for (const table of ['message', 'conversation', 'conversation_member', 'app_user']) await db.pool.query(`analyze ${table}`);
    const indexed = (Date.now() - indexStart) / 1000;
    log(`${MESSAGES} messages filled in ${filled.toFixed(0)} s, GIN index built in ${indexed.toFixed(0)} s`);

    const em = orm.em.fork();
    const cases = ['faktura', 'faktury klienta', 'invoices', 'w4000', 'w3', 'w1', 'fakt'];
    const rows: string[] = [];
    for (const q of cases) {
      const times: number[] = [];
      let hits = 0;
      let next: string | null = null;
      for (let run = 0; run < RUNS; run++) {
        const t0 = process.hrtime.bigint();
        const found = await searchMessages(em, { companyId, userId: users[0], help: true }, { q, after: null });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        hits = found.hits.length;
        next = found.next;
      }
      const [{ n }] = (
        await db.pool.query(
          `select count(*)::int as n from message m join conversation_member cm on cm.conversation_id = m.conversation_id and cm.user_id = $2
            where m.company_id = $3 and m.search_vector @@ gwar_search_query($1, true)`,
          [q, users[0], companyId],
        )
      ).rows;
      let second = '';
      if (next) {
        const [rank, id] = next.split('_');
        const t0 = process.hrtime.bigint();
        await searchMessages(em, { companyId, userId: users[0], help: true }, { q, after: { rank, id: Number(id) } });
        second = `${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms`;
      }
      rows.push(`| ${q} | ${n} | ${hits} | ${summarize(times).p50.toFixed(0)} ms | ${second} |`);
    }
    log(`\n| query | the searcher's matching messages | hits on the page | first page p50 | next page |\n|---|---|---|---|---|\n${rows.join('\n')}`);
    await orm.close();
  } finally {
    // SEARCH_BENCH_KEEP=1 leaves the schema (on DATABASE_URL) to look at plans with EXPLAIN; drop it afterwards.
    if (process.env.SEARCH_BENCH_KEEP === '1' && !db.embedded) {
      log(`kept schema ${db.schema}`);
      await db.pool.end();
    } else await db.cleanUp();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
