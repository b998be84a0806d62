import { Company } from '../src/accounts/company.entity';
import { User } from '../src/accounts/user.entity';
import { createCompany, createUser, unique } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

describe('operator admins manage company accounts', () => {
  let t: TestApp;
  let operator: Client;

  beforeAll(async () => {
    t = await startTestApp();
    const ops = await createCompany(t.em(), { operator: true, name: 'Operator' });
    operator = await signedIn(t.url, (await createUser(t.em(), ops, { role: 'admin' })).email);
  });
  afterAll(() => t.close());

  it('creates a company with its plan, API add-on and first admin', async () => {
    await operator.load('/operator/companies/new');
    const name = unique('Kowalski sp. z o.o.');
    const email = `${unique('first')}@example.com`;
    const res = await operator.post('/operator/companies', {
      companyName: name,
      plan: 'professional',
      apiAddon: 'on',
      name: 'Kasia Kowalska',
      email,
      access: 'password',
      password: 'first admin pw',
    });
    expect(res.status).toBe(201);
    const company = await t.em().findOneOrFail(Company, { name });
    expect(company).toMatchObject({ plan: 'professional', apiAddon: true, isOperator: false });
    const admin = await t.em().findOneOrFail(User, { email }, { filters: false });
    expect(admin).toMatchObject({ role: 'admin', name: 'Kasia Kowalska' });
    expect(admin.company.id).toBe(company.id);

    const firstAdmin = await signedIn(t.url, email, 'first admin pw');
    expect((await firstAdmin.load('/')).text).toContain(name);
    expect((await operator.load('/operator/companies')).text).toContain(name);
  });

  it('returns the form with messages and typed values for bad input, creating nothing', async () => {
    await operator.load('/operator/companies/new');
    const before = await t.em().count(Company, {});
    const res = await operator.post('/operator/companies', { companyName: '', plan: 'gold', name: 'Adam', email: 'adam@', access: 'password', password: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('This field is required.');
    expect(res.text).toContain('Choose one of the options.');
    expect(res.text).toContain('Enter a valid e-mail address');
    expect(res.text).toContain('value="Adam"');
    expect(res.text).toContain('value="adam@"');
    expect(await t.em().count(Company, {})).toBe(before);
  });

  it('changes a company’s plan and API add-on', async () => {
    const company = await createCompany(t.em(), { plan: 'start', apiAddon: false });
    await operator.load(`/operator/companies/${company.id}`);
    const res = await operator.post(`/operator/companies/${company.id}`, { companyName: company.name, plan: 'supreme', apiAddon: 'on' });
    expect(res.headers.location).toBe('/operator/companies');
    expect(await t.em().findOneOrFail(Company, company.id)).toMatchObject({ plan: 'supreme', apiAddon: true });
    expect((await operator.load('/operator/companies/424242')).status).toBe(404);
  });

  it('keeps the operator’s plain users and directors out', async () => {
    const ops = await t.em().findOneOrFail(Company, { isOperator: true });
    const director = await signedIn(t.url, (await createUser(t.em(), ops, { role: 'director' })).email);
    expect((await director.load('/operator/companies')).status).toBe(403);
    expect((await director.load('/operator/companies/new')).status).toBe(403);
  });
});
