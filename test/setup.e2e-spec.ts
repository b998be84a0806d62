import { Company } from '../src/accounts/company.entity';
import { User } from '../src/accounts/user.entity';
import { Client } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

describe('first start', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('sends a visitor of an empty installation to the setup page', async () => {
    const client = new Client(t.url);
    expect((await client.load('/')).headers.location).toBe('/setup');
    expect((await client.load('/login')).headers.location).toBe('/setup');
    const page = await client.load('/setup');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Set up Gwar');
  });

  it('returns the form with messages and the typed values when the input is bad', async () => {
    const client = new Client(t.url);
    await client.load('/setup');
    const res = await client.post('/setup', { companyName: 'Acme <Ops>', name: '', email: 'not-an-email', password: 'short' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="Acme &lt;Ops&gt;"');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('This field is required.');
    expect(res.text).toContain('Enter a valid e-mail address');
    expect(res.text).toContain('at least 8 characters');
    expect(res.text).not.toContain('value="short"');
    expect(await t.em().count(Company, {})).toBe(0);
  });

  it('answers an htmx submit with the form fragment alone', async () => {
    const client = new Client(t.url);
    await client.load('/setup');
    const res = await client.post('/setup', { companyName: 'x'.repeat(201), name: 'Ann', email: 'ann@example.com', password: 'long enough' }, { htmx: true });
    expect(res.status).toBe(422);
    expect(res.text.trim().startsWith('<form')).toBe(true);
    expect(res.text).toContain('This is too long.');
    expect(res.headers.vary).toContain('HX-Request');
  });

  it('creates the operator company and its admin, signs them in, and then closes the setup page', async () => {
    const client = new Client(t.url);
    await client.load('/setup');
    const res = await client.post('/setup', { companyName: 'Gwar Ops', name: 'Olga Operator', email: 'Olga@Example.com', password: 'a long password' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const home = await client.load('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Welcome, Olga Operator');

    const operator = await t.em().findOneOrFail(Company, { isOperator: true });
    expect(operator.name).toBe('Gwar Ops');
    const admin = await t.em().findOneOrFail(User, { email: 'olga@example.com' }, { filters: false });
    expect(admin.role).toBe('admin');
    expect(admin.passwordHash).toMatch(/^scrypt\$/);

    const again = new Client(t.url);
    expect((await again.load('/setup')).headers.location).toBe('/login');
    await again.load('/login');
    const second = await again.post('/setup', { companyName: 'Evil', name: 'Eve', email: 'eve@example.com', password: 'a long password' });
    expect(second.headers.location).toBe('/login');
    expect(await t.em().count(Company, {})).toBe(1);
  });
});
