import { Session } from '../src/accounts/session.entity';
import { LIMITS } from '../src/security/limits.service';
import { createCompany, createUser, PASSWORD } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

describe('signing in and out', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true, name: 'Operator' });
  });
  afterAll(() => t.close());

  it('signs a user in with e-mail and password into an HTTP-only, SameSite session cookie', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company, { email: 'mixed.case@example.com' });
    const client = new Client(t.url);
    await client.load('/login');
    const res = await client.post('/login', { email: ' Mixed.Case@Example.com ', password: PASSWORD });
    expect(res.status).toBe(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('gwar_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect((await client.load('/')).text).toContain(`Welcome, ${user.name}`);
    expect(await t.em().count(Session, { user: user.id }, { filters: false })).toBe(1);
  });

  it('keeps the typed e-mail and says what is wrong for a wrong password or empty fields', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company);
    const client = new Client(t.url);
    await client.load('/login');
    const wrong = await client.post('/login', { email: user.email, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Wrong e-mail or password.');
    expect(wrong.text).toContain(`value="${user.email}"`);
    const empty = await client.post('/login', { email: '', password: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('This field is required.');
    const unknown = await client.post('/login', { email: 'nobody@example.com', password: PASSWORD });
    expect(unknown.status).toBe(401);
    expect(unknown.text).toContain('Wrong e-mail or password.');
  });

  it('sends a signed-out visitor of a page to sign in and back to that page afterwards', async () => {
    const company = await createCompany(t.em());
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const client = new Client(t.url);
    const res = await client.load('/admin/users');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?returnTo=%2Fadmin%2Fusers');
    await client.load(res.headers.location);
    const signIn = await client.post('/login', { email: admin.email, password: PASSWORD, returnTo: '/admin/users' });
    expect(signIn.headers.location).toBe('/admin/users');
    const other = new Client(t.url);
    await other.load('/login');
    const offsite = await other.post('/login', { email: admin.email, password: PASSWORD, returnTo: '//evil.example.com' });
    expect(offsite.headers.location).toBe('/');
  });

  it('limits sign-in attempts per e-mail, even with the right password once the limit is reached', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company);
    const client = new Client(t.url);
    await client.load('/login');
    for (let i = 0; i < LIMITS.signInEmail.rate.points; i++) {
      expect((await client.post('/login', { email: user.email, password: `wrong ${i}` })).status).toBe(401);
    }
    const blocked = await client.post('/login', { email: user.email, password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.text).toContain('Too many sign-in attempts');
    expect(blocked.text).toContain(`value="${user.email}"`);
  });

  it('ends the session on sign-out, and every session on sign-out everywhere', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company);
    const first = await signedIn(t.url, user.email);
    const second = await signedIn(t.url, user.email);
    const third = await signedIn(t.url, user.email);

    expect((await first.post('/logout')).headers.location).toBe('/login');
    expect((await first.load('/')).headers.location).toBe('/login');
    expect((await second.load('/')).status).toBe(200);

    expect((await second.post('/logout/everywhere')).headers.location).toBe('/login');
    expect((await third.load('/')).headers.location).toBe('/login');
    expect(await t.em().count(Session, { user: user.id }, { filters: false })).toBe(0);
  });

  it('refuses a state-changing request without a valid CSRF token', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company);
    const client = await signedIn(t.url, user.email);
    const missing = await client.agent.post('/logout/everywhere').type('form').send({});
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('The form has expired');
    const forged = await client.agent.post('/logout/everywhere').type('form').send({ _csrf: 'forged' });
    expect(forged.status).toBe(403);
    const viaHeader = await client.agent.post('/logout/everywhere').set('X-CSRF-Token', client.csrf);
    expect(viaHeader.status).toBe(303);
  });

  it('does not accept another visitor’s CSRF token', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company);
    const victim = await signedIn(t.url, user.email);
    const attacker = new Client(t.url);
    await attacker.load('/login');
    const res = await victim.agent.post('/logout/everywhere').type('form').send({ _csrf: attacker.csrf });
    expect(res.status).toBe(403);
  });

  it('signs nobody in with a session past its expiry or of a user deactivated since', async () => {
    const company = await createCompany(t.em());
    const expired = await createUser(t.em(), company);
    const deactivated = await createUser(t.em(), company);
    const kept = await createUser(t.em(), company);
    const [a, b, c] = [await signedIn(t.url, expired.email), await signedIn(t.url, deactivated.email), await signedIn(t.url, kept.email)];
    const sql = t.em().getConnection();
    await sql.execute(`update user_session set expires_at = now() - interval '1 second' where user_id = ?`, [expired.id]);
    await sql.execute(`update app_user set active = false where id = ?`, [deactivated.id]);
    for (const client of [a, b]) {
      const res = await client.load('/');
      expect(res.headers.location).toBe('/login');
      expect(String(res.headers['set-cookie'])).toMatch(/gwar_session=;/);
    }
    expect((await c.load('/')).text).toContain(`Welcome, ${kept.name}`);
  });
});
