import { CrmTask } from '../src/crm/crm-task.entity';
import { Message } from '../src/chat/message.entity';
import { directConversation, send } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

describe('the small CRM', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  async function member() {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company, { name: 'Cara Crm' });
    return { company, user, c: await signedIn(t.url, user.email) };
  }
  const idFrom = (location: string) => Number(/\/(\d+)$/.exec(location)![1]);

  it('creates, shows, edits and deletes a record of each kind', async () => {
    const { c, user } = await member();
    await c.load('/crm/companies/new');
    const company = await c.post('/crm/companies', {
      name: 'Acme Sp. z o.o.',
      taxId: '1234567890',
      email: 'Biuro@Acme.pl',
      website: 'https://acme.example.com',
      phone: '+48 600 100 200',
      address: 'Warszawa',
    });
    expect(company.status).toBe(303);
    const companyId = idFrom(company.headers.location);
    const forms = {
      tasks: {
        name: 'Telefon',
        description: 'Call back',
        status: 'in_progress',
        dueDate: '2026-12-01',
        assignee: String(user.id),
        crmCompany: String(companyId),
      },
      notes: { text: 'First line\nmore text', crmCompany: String(companyId) },
      opportunities: { name: 'Big deal', crmCompany: String(companyId), value: '12500,50', currency: 'EUR', stage: 'proposal', owner: String(user.id) },
    };
    for (const [kind, form] of Object.entries(forms)) {
      await c.load(`/crm/${kind}/new`);
      const created = await c.post(`/crm/${kind}`, form);
      expect({ kind, status: created.status }).toEqual({ kind, status: 303 });
      const id = idFrom(created.headers.location);
      const page = await c.load(`/crm/${kind}/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Acme Sp. z o.o.');
    }
    const task = await c.load('/crm/tasks');
    expect(task.text).toContain('Telefon');
    expect(task.text).toContain('in progress');
    expect((await c.load('/crm/notes')).text).toContain('First line');
    expect((await c.load('/crm/opportunities')).text).toMatch(/12[,.\s]?500\.50|12\s?500,50/);

    const taskId = (await t.em().findOneOrFail(CrmTask, { name: 'Telefon' }, { filters: false })).id;
    await c.load(`/crm/tasks/${taskId}/edit`);
    const edited = await c.post(`/crm/tasks/${taskId}`, { ...forms.tasks, status: 'done' });
    expect(edited.status).toBe(303);
    expect((await t.em().findOneOrFail(CrmTask, taskId, { filters: false })).status).toBe('done');
    await c.load(`/crm/tasks/${taskId}`);
    expect((await c.post(`/crm/tasks/${taskId}/deletion`)).headers.location).toBe('/crm/tasks');
    expect(await t.em().count(CrmTask, { id: taskId }, { filters: false })).toBe(0);
  });

  it('returns a form with messages and the typed values for bad input, storing nothing', async () => {
    const { c } = await member();
    await c.load('/crm/companies/new');
    const bad = await c.post('/crm/companies', { name: '', email: 'not-mail', website: 'javascript:alert(1)', phone: 'p'.repeat(41) });
    expect(bad.status).toBe(422);
    for (const message of ['This field is required.', 'Enter a valid e-mail address', 'Enter a web address', 'This is too long.'])
      expect(bad.text).toContain(message);
    expect(bad.text).toContain('value="not-mail"');
    // A summary on top, which the page reads out in its alert region, and each field marked.
    expect(bad.text).toContain('Not saved. Correct the marked fields: 4.');
    expect(bad.text.match(/aria-invalid="true"/g)).toHaveLength(4);
    expect(bad.text).toContain('value="javascript:alert(1)"');
    await c.load('/crm/opportunities/new');
    const money = await c.post('/crm/opportunities', { name: 'Deal', value: '12 zł', currency: 'XXX', stage: 'won', owner: '999999' }, { htmx: true });
    expect(money.status).toBe(422);
    expect(money.text.trim().startsWith('<form')).toBe(true);
    expect(money.text).toContain('Enter an amount');
    expect(money.text).toContain('Choose one of the options.');
    expect(money.text).toContain('value="12 zł"');
    await c.load('/crm/tasks/new');
    const date = await c.post('/crm/tasks', { name: 'T', status: 'new', dueDate: '2026-02-30' });
    expect(date.status).toBe(422);
    expect(date.text).toContain('Enter a real date.');
  });

  it('answers a due date that is no day, or one PostgreSQL cannot store, with the form’s message', async () => {
    const { c } = await member();
    await c.load('/crm/tasks/new');
    for (const dueDate of ['tomorrow', '2026-13-45', '9999-99-99', '0000-01-01', '1e308', '-1']) {
      const res = await c.post('/crm/tasks', { name: 'T', status: 'new', dueDate });
      expect({ dueDate, status: res.status }).toEqual({ dueDate, status: 422 });
      expect(res.text).toContain('Enter a real date.');
    }
    expect(await t.em().count(CrmTask, { name: 'T' }, { filters: false })).toBe(0);
  });

  it('searches by name, filters, and pages with keyset links', async () => {
    const { c } = await member();
    for (let i = 1; i <= 30; i++) {
      await c.load('/crm/tasks/new');
      await c.post('/crm/tasks', { name: `Task ${String(i).padStart(2, '0')}${i % 2 ? ' odd' : ''}`, status: i % 3 ? 'new' : 'done' });
    }
    const first = await c.load('/crm/tasks');
    expect(first.text).toContain('Task 30');
    expect(first.text).not.toContain('Task 05');
    const next = /after=(\d+)/.exec(first.text)![1];
    const second = await c.agent.get(`/crm/tasks?after=${next}`).set('HX-Request', 'true');
    expect(second.text).toContain('Task 05');
    expect(second.text).not.toContain('Task 30');
    const odd = await c.load('/crm/tasks?q=odd&status=done');
    expect(odd.text).toContain('Task 03 odd');
    expect(odd.text).not.toContain('Task 06');
    expect(odd.text).not.toContain('Task 01 odd');
    expect((await c.load('/crm/tasks?q=%25')).status).toBe(200);
  });

  it('keeps each company’s records to itself: another company gets 404 and cannot link to them', async () => {
    const a = await member();
    const b = await member();
    await a.c.load('/crm/companies/new');
    const companyId = idFrom((await a.c.post('/crm/companies', { name: 'Secret Client' })).headers.location);
    await a.c.load('/crm/tasks/new');
    const taskId = idFrom((await a.c.post('/crm/tasks', { name: 'Secret task', status: 'new' })).headers.location);
    expect((await b.c.load(`/crm/companies/${companyId}`)).status).toBe(404);
    expect((await b.c.load(`/crm/tasks/${taskId}/edit`)).status).toBe(404);
    await b.c.load('/crm/tasks/new');
    expect((await b.c.post(`/crm/tasks/${taskId}`, { name: 'Hijack', status: 'done' })).status).toBe(404);
    expect((await b.c.post(`/crm/tasks/${taskId}/deletion`)).status).toBe(404);
    expect((await b.c.load('/crm/tasks')).text).not.toContain('Secret task');
    const linked = await b.c.post('/crm/tasks', { name: 'Mine', status: 'new', crmCompany: String(companyId), assignee: String(a.user.id) });
    expect(linked.status).toBe(422);
    expect((await b.c.load('/crm/nonsense')).status).toBe(404);
  });

  it('prefills a form from a chat message and puts a line linking to the new record into the conversation', async () => {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company);
    const bob = await createUser(t.em(), company, { name: 'Bob Asker' });
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    const conversationId = await directConversation(b, ann.id);
    const { id: messageId } = await send(b, conversationId, 'Call the client back\nthey want a discount');
    const form = await a.load(`/crm/tasks/new?fromMessage=${messageId}`);
    expect(form.text).toContain('value="Call the client back"');
    expect(form.text).toContain('they want a discount');
    expect(form.text).toMatch(new RegExp(`<option value="${bob.id}" selected>Bob Asker`));
    const created = await a.post('/crm/tasks', { name: 'Call the client back', status: 'new', assignee: String(bob.id), sourceMessageId: String(messageId) });
    expect(created.status).toBe(303);
    const taskId = idFrom(created.headers.location);
    expect((await t.em().findOneOrFail(CrmTask, taskId, { filters: false })).sourceMessageId).toBe(messageId);
    const lines = await t.em().find(Message, { conversation: conversationId }, { filters: false, orderBy: { id: 'asc' } });
    expect(lines.at(-1)!.body).toMatch(new RegExp(`Added a task from this conversation: http://127.0.0.1:\\d+/crm/tasks/${taskId}$`));

    const outsider = await signedIn(t.url, (await createUser(t.em(), company)).email);
    expect((await outsider.load(`/crm/tasks/new?fromMessage=${messageId}`)).status).toBe(404);
  });
});
