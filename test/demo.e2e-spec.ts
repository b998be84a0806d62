import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_EN } from '../scripts/demo/demo-en';
import { DEMO_PL } from '../scripts/demo/demo-pl';
import { DEMO_PASSWORD, seedDemo } from '../scripts/demo/demo-seed';
import { UploadsService } from '../src/files/uploads.service';
import { signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

/** Every stored file (kept in folders named by the first two characters of their key), temporary ones aside. */
async function storedFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.parentPath !== join(dir, 'tmp'))
    .map((e) => e.name)
    .sort();
}

/** Counts of the demo company's rows, by table, read past the company filter. */
async function counts(t: TestApp, companyName: string): Promise<Record<string, number>> {
  const [row] = await t
    .em()
    .getConnection()
    .execute<Record<string, number>[]>(
      `select
        (select count(*)::int from app_user u where u.company_id = c.id) as users,
        (select count(*)::int from conversation v where v.company_id = c.id and v.kind = 'group') as groups,
        (select count(*)::int from conversation v where v.company_id = c.id and v.kind = 'direct') as directs,
        (select count(*)::int from message m where m.company_id = c.id) as messages,
        (select count(*)::int from message m where m.company_id = c.id and m.edited_at is not null) as edited,
        (select count(*)::int from message m where m.company_id = c.id and m.deleted_at is not null) as deleted,
        (select count(*)::int from message m where m.company_id = c.id and m.reply_to_id is not null) as replies,
        (select count(*)::int from attachment a where a.company_id = c.id and a.thumb_key is not null) as images,
        (select count(*)::int from attachment a where a.company_id = c.id and a.thumb_key is null) as files,
        (select count(*)::int from crm_company r where r.company_id = c.id) as companies,
        (select count(*)::int from crm_task r where r.company_id = c.id) as tasks,
        (select count(*)::int from crm_note r where r.company_id = c.id) as notes,
        (select count(*)::int from crm_opportunity r where r.company_id = c.id) as opportunities,
        (select count(*)::int from notification n where n.company_id = c.id) as notifications,
        (select count(*)::int from notification n where n.company_id = c.id and n.read_at is null) as unread_notifications,
        (select count(*)::int from message m where m.company_id = c.id and m.created_at < now() - interval '2 days') as older_than_two_days,
        (select count(*)::int from message m where m.company_id = c.id and m.created_at > now()) as in_the_future
       from company c where c.name = ? and not c.is_operator`,
      [companyName],
    );
  return row;
}

describe('npm run demo', () => {
  let t: TestApp;
  let filesDir: string;
  beforeAll(async () => {
    filesDir = await mkdtemp(join(tmpdir(), 'gwar-demo-files-'));
    t = await startTestApp({ FILES_DIR: filesDir });
  });
  afterAll(async () => {
    await t.close();
    await rm(filesDir, { recursive: true, force: true });
  });

  it('seeds both companies through the app, backdated over four days, and a second run changes nothing', async () => {
    const first = await seedDemo(t.app, { baseUrl: t.url });
    expect(first.map((o) => [o.company.name, o.created, o.seeded])).toEqual([
      ['Demo Sp. z o.o.', true, true],
      ['Demo Ltd', true, true],
    ]);
    const pl = await counts(t, DEMO_PL.name);
    expect(pl).toMatchObject({
      users: 12,
      groups: 3,
      directs: 3,
      edited: 1,
      deleted: 1,
      images: 3,
      files: 1,
      companies: 4,
      tasks: 6,
      notes: 2,
      opportunities: 3,
      in_the_future: 0,
    });
    expect(pl.replies).toBeGreaterThanOrEqual(4);
    expect(pl.messages).toBeGreaterThan(45);
    expect(pl.older_than_two_days).toBeGreaterThan(10);
    expect(pl.notifications).toBeGreaterThan(15);
    expect(pl.unread_notifications).toBeGreaterThan(0);
    expect(pl.unread_notifications).toBeLessThan(pl.notifications);
    const en = await counts(t, DEMO_EN.name);
    expect(en).toMatchObject({
      users: 6,
      groups: 2,
      directs: 1,
      edited: 1,
      deleted: 1,
      images: 2,
      files: 1,
      companies: 2,
      tasks: 1,
      notes: 1,
      opportunities: 1,
    });
    // Each image has its original and its thumbnail on disk, the PDF its original.
    expect(await storedFiles(filesDir)).toHaveLength(2 * 5 + 2);

    // Every message has its change sequence, one after another within its conversation.
    const gaps = await t
      .em()
      .getConnection()
      .execute<{ n: number }[]>(
        `select count(*)::int as n from (
           select conversation_id, seq, lag(seq) over (partition by conversation_id order by id) as before, lag(created_at) over (partition by conversation_id order by id) as at_before, created_at
             from message where company_id in (select id from company where name in (?, ?))) s
          where (before is not null and seq <= before) or at_before > created_at`,
        [DEMO_PL.name, DEMO_EN.name],
      );
    expect(gaps[0].n).toBe(0);

    const again = await seedDemo(t.app, { baseUrl: t.url });
    expect(again.map((o) => [o.created, o.seeded])).toEqual([
      [false, false],
      [false, false],
    ]);
    expect(await counts(t, DEMO_PL.name)).toEqual(pl);
  }, 120_000);

  it('leaves nothing of a run that fails part way, so the next run starts afresh', async () => {
    const broken = {
      ...DEMO_EN,
      name: 'Broken Ltd',
      people: DEMO_EN.people.map((p) => ({ ...p, email: p.email.replace('demo-ltd', 'broken-ltd') })),
      // The last line of all is by someone the company does not have: everything else, files too, is stored by then.
      conversations: [
        { ...DEMO_EN.conversations[0], lines: [...DEMO_EN.conversations[0].lines, { from: 'nobody', at: '-1m', text: 'hello?' }] },
        ...DEMO_EN.conversations.slice(1),
      ],
    };
    const filesBefore = await storedFiles(filesDir);
    let stored = 0;
    const uploads = t.app.get(UploadsService);
    const storeFile = uploads.storeFile.bind(uploads);
    const spy = jest.spyOn(uploads, 'storeFile').mockImplementation(async (...args) => {
      const result = await storeFile(...args);
      stored = (await storedFiles(filesDir)).length;
      return result;
    });
    await expect(seedDemo(t.app, { baseUrl: t.url, companies: [broken] })).rejects.toThrow('the demo has no person "nobody"');
    spy.mockRestore();
    expect(await counts(t, 'Broken Ltd')).toBeUndefined();
    expect(await storedFiles(filesDir)).toEqual(filesBefore);
    expect(stored).toBeGreaterThan(filesBefore.length);
    const fixed = { ...broken, conversations: DEMO_EN.conversations };
    const outcome = await seedDemo(t.app, { baseUrl: t.url, companies: [fixed] });
    expect(outcome.map((o) => [o.created, o.seeded])).toEqual([[true, true]]);
    expect(await counts(t, 'Broken Ltd')).toMatchObject({ users: 6, groups: 2, directs: 1, tasks: 1 });
  }, 120_000);

  it('shows Anna her conversations with unread badges, a message linking a CRM task, and the task linking back', async () => {
    const anna = await signedIn(t.url, 'anna@demo.gwar.test', DEMO_PASSWORD);
    const home = await anna.load('/');
    expect(home.status).toBe(200);
    const entry = (name: string) => new RegExp(`title="${name}"[\\s\\S]*?data-count="(\\d+)"`).exec(home.text)?.[1];
    expect(entry('Sprzedaż')).toBe('3');
    expect(entry('Wsparcie')).toBe('2');
    expect(entry('Zarząd')).toBe('0');
    expect(entry('Marta Zielińska')).toBe('1');
    expect(entry('Tomasz Mazur')).toBe('0');
    // Jan and Katarzyna's conversation is theirs alone.
    const sales = Number(/data-conversation-id="(\d+)"[^>]*><a[^>]*title="Sprzedaż"/.exec(home.text)![1]);
    const conversation = await anna.load(`/chat/conversations/${sales}`);
    expect(conversation.text).toMatch(
      /<a class="object-link object-tasks-\d+" href="\/crm\/tasks\/\d+"><span class="object-kind">Task<\/span> “Oddzwonić do ACME w sprawie rabatu” — <span class="object-status">in progress<\/span><\/a>/,
    );
    expect(conversation.text).toContain('Dodano zadanie z tej rozmowy:');
    expect(conversation.text).toContain('class="msg-quote"');
    expect(conversation.text).toContain('class="edited"');
    expect(conversation.text).toContain('class="msg deleted"');
    expect(conversation.text).toMatch(/<img src="\/files\/\d+\/thumbnail"|class="attachment-image"/);
    expect(conversation.text).toContain('oferta-nordwind-2027.pdf');
    expect(conversation.text).toMatch(/class="receipt read"/);
    expect(conversation.text).toMatch(/class="receipt sent"/);

    const taskId = Number(/object-tasks-(\d+)/.exec(conversation.text)![1]);
    const task = await anna.load(`/crm/tasks/${taskId}`);
    expect(task.text).toMatch(new RegExp(`<a href="/chat/conversations/${sales}\\?at=\\d+#m-[0-9a-f-]+">From a message in the group “Sprzedaż”</a>`));

    // Her bell: a task assigned to her and a mention, both today and unread; the groups she was added to, read.
    const panel = home.text;
    expect(panel).toMatch(/Ewa Kowalczyk assigned you the task Migracja danych ACME ze starego systemu/);
    expect(panel).toMatch(/Marta Zielińska mentioned you in Sprzedaż/);

    // Someone outside the group sees the task, but not where it came from.
    const agnieszka = await signedIn(t.url, 'agnieszka@demo.gwar.test', DEMO_PASSWORD);
    expect((await agnieszka.load(`/crm/tasks/${taskId}`)).text).not.toContain('From a message');
    expect((await agnieszka.load(`/chat/conversations/${sales}`)).status).toBe(404);
    // And the English company sees none of it.
    const alice = await signedIn(t.url, 'alice@demo-ltd.gwar.test', DEMO_PASSWORD);
    expect((await alice.load(`/crm/tasks/${taskId}`)).status).toBe(404);
    const aliceHome = await alice.load('/');
    expect(aliceHome.text).toContain('title="Sales"');
    expect(aliceHome.text).not.toContain('Sprzedaż');
  });
});
