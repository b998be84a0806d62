import { CrmNote } from '../src/crm/crm-note.entity';
import { CrmTask } from '../src/crm/crm-task.entity';
import { User } from '../src/accounts/user.entity';
import { createGroup, directConversation, send } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

describe('a CRM record made from a message links back to it', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  const idFrom = (location: string) => Number(/\/(\d+)$/.exec(location)![1]);

  async function team() {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company, { name: 'Ann Seller', role: 'admin' });
    const bob = await createUser(t.em(), company, { name: 'Bob Asker' });
    const carl = await createUser(t.em(), company, { name: 'Carl Outside' });
    return { company, ann, bob, carl, a: await signedIn(t.url, ann.email), b: await signedIn(t.url, bob.email), c: await signedIn(t.url, carl.email) };
  }

  async function fromMessage(client: Awaited<ReturnType<typeof team>>['a'], kind: string, messageId: number, form: Record<string, string>) {
    await client.load(`/crm/${kind}/new?fromMessage=${messageId}`);
    const created = await client.post(`/crm/${kind}`, { ...form, sourceMessageId: String(messageId) });
    expect(created.status).toBe(303);
    return idFrom(created.headers.location);
  }

  it('shows members “From a message in the group …” with a link that opens the conversation at that message', async () => {
    const { a, b, c, bob } = await team();
    const group = await createGroup(a, 'Launch <b>team</b>', [bob.id]);
    const sent = await send(b, group, 'Call Acme about the order');
    const taskId = await fromMessage(a, 'tasks', sent.id!, { name: 'Call Acme', status: 'new' });
    expect((await t.em().findOneOrFail(CrmTask, taskId, { filters: false })).sourceMessageId).toBe(sent.id);

    const expectedHref = `/chat/conversations/${group}?at=${sent.id}#m-${sent.clientId}`;
    for (const member of [a, b]) {
      const page = await member.load(`/crm/tasks/${taskId}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<a href="${expectedHref}">From a message in the group “Launch &lt;b&gt;team&lt;/b&gt;”</a>`);
    }
    // The link lands on the conversation's page, with the message in it under that id.
    const conversation = await b.load(expectedHref.split('#')[0]);
    expect(conversation.text).toContain(`id="m-${sent.clientId}"`);

    // A colleague outside the group sees the task, but nothing of where it came from.
    const outsider = await c.load(`/crm/tasks/${taskId}`);
    expect(outsider.status).toBe(200);
    expect(outsider.text).toContain('Call Acme');
    expect(outsider.text).not.toContain('From a message');
    expect(outsider.text).not.toContain('Launch');
    expect(outsider.text).not.toContain(`/chat/conversations/${group}`);
    expect(outsider.text).not.toContain('crm-source');
  });

  it('names the colleague of a one-to-one conversation, in the viewer’s language, and stops showing it to someone who left', async () => {
    const { a, b, ann, bob, carl } = await team();
    const direct = await directConversation(a, bob.id);
    const sent = await send(b, direct, 'Notatka: klient chce rabatu');
    const noteId = await fromMessage(a, 'notes', sent.id!, { text: 'Klient chce rabatu' });
    expect((await a.load(`/crm/notes/${noteId}`)).text).toContain('From a message in your conversation with Bob Asker');
    expect((await b.load(`/crm/notes/${noteId}`)).text).toContain('From a message in your conversation with Ann Seller');
    await t.em().nativeUpdate(User, { id: ann.id }, { locale: 'pl' }, { filters: false });
    const polish = await a.load(`/crm/notes/${noteId}`);
    expect(polish.text).toContain('Z wiadomości w Twojej rozmowie z użytkownikiem Bob Asker');
    const c = await signedIn(t.url, carl.email);
    const outsider = (await c.load(`/crm/notes/${noteId}`)).text;
    expect(outsider).not.toContain('crm-source');
    expect(outsider).not.toContain('From a message');
  });

  it('stores no source for a message the maker may not see, a made-up id, or a plain form; none of them shows a line', async () => {
    const { a, b, c, bob } = await team();
    const group = await createGroup(a, 'Private', [bob.id]);
    const secret = await send(b, group, 'secret plan');
    await c.load('/crm/notes/new');
    for (const source of [String(secret.id), '999999999999', '-1', 'x'.repeat(30), '1e3']) {
      const created = await c.post('/crm/notes', { text: `note ${source.slice(0, 5)}`, sourceMessageId: source });
      expect(created.status).toBe(303);
      const note = await t.em().findOneOrFail(CrmNote, idFrom(created.headers.location), { filters: false });
      expect(note.sourceMessageId).toBeNull();
      const page = await c.load(`/crm/notes/${note.id}`);
      expect(page.text).not.toContain('crm-source');
      expect(page.text).not.toContain('secret plan');
    }
    // Nothing of it was posted into the group either.
    const groupPage = await a.load(`/chat/conversations/${group}`);
    expect(groupPage.text).not.toContain('Added a note');
  });

  it('shows another company nothing: the record is a 404', async () => {
    const one = await team();
    const other = await team();
    const group = await createGroup(one.a, 'Deals', [one.bob.id]);
    const sent = await send(one.b, group, 'Big deal');
    const id = await fromMessage(one.a, 'opportunities', sent.id!, { name: 'Big deal', stage: 'lead', currency: 'PLN' });
    expect((await other.a.load(`/crm/opportunities/${id}`)).status).toBe(404);
  });

  it('quotes a linked object’s name with the quotes of the reader’s language', async () => {
    const { a, b, ann, bob } = await team();
    await a.load('/crm/companies/new');
    const crmCompanyId = idFrom((await a.post('/crm/companies', { name: 'Nordwind' })).headers.location);
    const direct = await directConversation(a, bob.id);
    await send(a, direct, `See ${t.url}/crm/companies/${crmCompanyId}`);
    const english = await b.load(`/chat/conversations/${direct}`);
    expect(english.text).toMatch(/<span class="object-kind">Company<\/span> “Nordwind”/);
    expect(english.text).not.toContain('„Nordwind”');
    await t.em().nativeUpdate(User, { id: ann.id }, { locale: 'pl' }, { filters: false });
    const polish = await a.load(`/chat/conversations/${direct}`);
    expect(polish.text).toMatch(/<span class="object-kind">Firma<\/span> „Nordwind”/);
  });

  it('lays the list filters out as one labelled row with a way to clear them', async () => {
    const { a } = await team();
    const plain = await a.load('/crm/tasks');
    const form = /<form class="crm-filters"[\s\S]*?<\/form>/.exec(plain.text)![0];
    expect(form).toContain('role="search"');
    for (const name of ['q', 'status', 'assignee', 'crmCompany']) {
      const id = name === 'q' ? 'crm-q' : `filter-${name}`;
      expect(form).toContain(`<label for="${id}">`);
      expect(form).toContain(`id="${id}"`);
    }
    expect(form).not.toContain('Clear filters');
    const filtered = await a.load('/crm/tasks?status=done&q=%3Cscript%3E');
    expect(filtered.status).toBe(200);
    expect(filtered.text).toContain('<a href="/crm/tasks">Clear filters</a>');
    expect(filtered.text).toContain('value="&lt;script&gt;"');
    expect(filtered.text).toMatch(/<option value="done" selected>/);
    // A filter value that names nothing filters nothing and breaks nothing.
    expect((await a.load('/crm/tasks?assignee=abc&status=%00&crmCompany=99999999999')).status).toBe(200);
  });

  it('has the migration’s index on each kind’s source message', async () => {
    const schema = t.config.databaseSchema;
    const rows = await t
      .em()
      .getConnection()
      .execute<{ indexname: string }[]>(`select indexname from pg_indexes where schemaname = ? and indexname like '%_source_message' order by 1`, [schema]);
    expect(rows.map((r) => r.indexname)).toEqual([
      'crm_company_source_message',
      'crm_note_source_message',
      'crm_opportunity_source_message',
      'crm_task_source_message',
    ]);
  });
});
