import { Company } from '../src/accounts/company.entity';
import { User } from '../src/accounts/user.entity';
import { createCompany, createTwoCompanies } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

describe('each company sees only its own data', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof createTwoCompanies>>['a'];
  let b: Awaited<ReturnType<typeof createTwoCompanies>>['b'];
  let adminA: Client;

  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
    ({ a, b } = await createTwoCompanies(t.em()));
    adminA = await signedIn(t.url, a.admin.email);
  });
  afterAll(() => t.close());

  it('lists only the admin’s own company’s users', async () => {
    const page = await adminA.load('/admin/users');
    expect(page.status).toBe(200);
    for (const user of [a.admin, a.director, a.user]) expect(page.text).toContain(user.email);
    for (const user of [b.admin, b.director, b.user]) expect(page.text).not.toContain(user.email);
  });

  it('answers 404 for another company’s user by every route, and changes nothing', async () => {
    for (const target of [b.admin, b.user]) {
      expect((await adminA.load(`/admin/users/${target.id}`)).status).toBe(404);
      await adminA.load('/admin/users');
      const update = await adminA.post(`/admin/users/${target.id}`, { name: 'Hijacked', email: 'hijack@example.com', role: 'user' });
      expect(update.status).toBe(404);
      expect((await adminA.post(`/admin/users/${target.id}/deactivation`)).status).toBe(404);
      expect((await adminA.post(`/admin/users/${target.id}/activation`)).status).toBe(404);
      expect((await adminA.post(`/admin/users/${target.id}/invitation`)).status).toBe(404);
    }
    const untouched = await t.em().find(User, { company: b.company.id }, { filters: false });
    expect(untouched.map((u) => [u.name, u.active, !!u.passwordHash, u.inviteTokenHash ?? null])).toEqual(
      [b.admin, b.director, b.user].map((u) => [u.name, true, true, null]),
    );
  });

  it('answers 404 for guessed, malformed and out-of-range ids', async () => {
    for (const id of ['999999', '0', '-1', 'abc', '1e3', '99999999999', '1%20or%201=1']) {
      expect((await adminA.load(`/admin/users/${id}`)).status).toBe(404);
    }
  });

  it('keeps a company admin out of the operator’s company-account screens', async () => {
    expect((await adminA.load('/operator/companies')).status).toBe(403);
    expect((await adminA.load(`/operator/companies/${b.company.id}`)).status).toBe(403);
    await adminA.load('/admin/users');
    expect((await adminA.post(`/operator/companies/${b.company.id}`, { companyName: 'Renamed', plan: 'start' })).status).toBe(403);
    expect((await t.em().findOneOrFail(Company, b.company.id)).name).toBe(b.company.name);
  });

  it('answers an API-style request for another company’s user with a problem+json 404', async () => {
    const res = await adminA.agent.get(`/admin/users/${b.user.id}`).set('Accept', 'application/json');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, title: 'Not found' });
  });
});
