import { User } from '../src/accounts/user.entity';
import { createCompany, createUser, unique } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

describe('company admins manage their users', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  async function company() {
    const c = await createCompany(t.em());
    const admin = await createUser(t.em(), c, { role: 'admin' });
    return { company: c, admin, client: await signedIn(t.url, admin.email) };
  }

  const findUser = (email: string) => t.em().findOne(User, { email }, { filters: false });

  it('creates a user with an initial password, who can then sign in', async () => {
    const { company: c, client } = await company();
    await client.load('/admin/users/new');
    const email = `${unique('new')}@example.com`;
    const res = await client.post('/admin/users', {
      name: 'Nina Nowak',
      email,
      role: 'director',
      access: 'password',
      password: 'initial secret',
      livechatConfigured: 'on',
    });
    expect(res.status).toBe(201);
    expect(res.text).toContain('Nina Nowak has been added');
    const user = await findUser(email);
    expect(user).toMatchObject({ name: 'Nina Nowak', role: 'director', livechatConfigured: true, callbackConfigured: false, active: true });
    expect(user!.company.id).toBe(c.id);
    await signedIn(t.url, email, 'initial secret');
    expect((await client.load('/admin/users')).text).toContain('Nina Nowak');
  });

  it('answers an htmx create with the result for <main>, not a whole page inside the form', async () => {
    const { client } = await company();
    await client.load('/admin/users/new');
    const res = await client.post(
      '/admin/users',
      { name: 'Hana Htmx', email: `${unique('htmx')}@example.com`, role: 'user', access: 'invite' },
      { htmx: true },
    );
    expect(res.status).toBe(201);
    expect(res.headers['hx-retarget']).toBe('#main');
    expect(res.headers['hx-reswap']).toBe('innerHTML');
    expect(res.text.trim().startsWith('<h1>')).toBe(true);
    expect(res.text).not.toContain('<header');
    expect(res.text).toContain('/invite/');
  });

  it('creates a user with a one-time invite link that sets their password', async () => {
    const { client } = await company();
    await client.load('/admin/users/new');
    const email = `${unique('invitee')}@example.com`;
    const res = await client.post('/admin/users', { name: 'Ivo Invited', email, role: 'user', access: 'invite' });
    expect(res.status).toBe(201);
    const link = /value="(http:\/\/[^"]+\/invite\/[^"]+)"/.exec(res.text)![1];
    const path = new URL(link).pathname;

    const invitee = new Client(t.url);
    const page = await invitee.load(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(email);
    const mismatch = await invitee.post(path, { password: 'chosen password', passwordConfirm: 'other password' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('The passwords do not match.');
    const accepted = await invitee.post(path, { password: 'chosen password', passwordConfirm: 'chosen password' });
    expect(accepted.headers.location).toBe('/');
    expect((await invitee.load('/')).text).toContain('Welcome, Ivo Invited');

    expect((await new Client(t.url).load(path)).status).toBe(404);
    await signedIn(t.url, email, 'chosen password');
  });

  it.each([
    ['empty fields', { name: '', email: '', password: '' }, ['This field is required.']],
    ['a wrong e-mail', { name: 'Wanda', email: 'wanda(at)example', password: 'good password' }, ['Enter a valid e-mail address']],
    ['too long a name', { name: 'N'.repeat(121), email: 'long@example.com', password: 'good password' }, ['This is too long.']],
    ['a short password', { name: 'Sam', email: 'sam@example.com', password: 'short' }, ['at least 8 characters']],
    ['an unknown role', { name: 'Rex', email: 'rex@example.com', password: 'good password', role: 'root' }, ['Choose one of the options.']],
  ])('returns the form with a message and the typed values for %s', async (_case, form, messages) => {
    const { client } = await company();
    await client.load('/admin/users/new');
    const res = await client.post('/admin/users', { role: 'user', access: 'password', ...form });
    expect(res.status).toBe(422);
    for (const message of messages) expect(res.text).toContain(message);
    if (form.name) expect(res.text).toContain(`value="${form.name}"`);
    if (form.email) expect(res.text).toContain(`value="${form.email}"`);
    expect(res.text).not.toContain('value="good password"');
  });

  it('refuses an e-mail already used in any company, keeping what was typed', async () => {
    const other = await createCompany(t.em());
    const taken = await createUser(t.em(), other);
    const { client } = await company();
    await client.load('/admin/users/new');
    const res = await client.post('/admin/users', { name: 'Dup Licate', email: taken.email.toUpperCase(), role: 'user', access: 'invite' }, { htmx: true });
    expect(res.status).toBe(422);
    expect(res.text.trim().startsWith('<form')).toBe(true);
    expect(res.text).toContain('This e-mail address is already in use.');
    expect(res.text).toContain('value="Dup Licate"');
  });

  it('gives one of two admins racing for the same new e-mail a form error, never a 500', async () => {
    const { company: c, client } = await company();
    const second = await signedIn(t.url, (await createUser(t.em(), c, { role: 'admin' })).email);
    await client.load('/admin/users/new');
    await second.load('/admin/users/new');
    const email = `${unique('race')}@example.com`;
    const form = { name: 'Racer', email, role: 'user', access: 'invite' };
    const statuses = (await Promise.all([client.post('/admin/users', form), second.post('/admin/users', form)])).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 422]);
  });

  it('changes a user’s role and Livechat / Callback flags', async () => {
    const { company: c, client } = await company();
    const user = await createUser(t.em(), c);
    await client.load(`/admin/users/${user.id}`);
    const res = await client.post(`/admin/users/${user.id}`, { name: user.name, email: user.email, role: 'director', callbackConfigured: 'on' });
    expect(res.headers.location).toBe('/admin/users');
    expect(await findUser(user.email)).toMatchObject({ role: 'director', livechatConfigured: false, callbackConfigured: true });

    const bad = await client.post(`/admin/users/${user.id}`, { name: '', email: user.email, role: 'director' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('This field is required.');
  });

  it('does not let an admin remove their own admin role or deactivate themselves', async () => {
    const { admin, client } = await company();
    await client.load(`/admin/users/${admin.id}`);
    const demote = await client.post(`/admin/users/${admin.id}`, { name: admin.name, email: admin.email, role: 'user' });
    expect(demote.status).toBe(422);
    expect(demote.text).toContain('You cannot take the administrator role away from yourself.');
    const deactivate = await client.post(`/admin/users/${admin.id}/deactivation`);
    expect(deactivate.status).toBe(409);
    expect((await findUser(admin.email))!.active).toBe(true);
  });

  it('deactivates a user: they cannot sign in and their open sessions end', async () => {
    const { company: c, client } = await company();
    const user = await createUser(t.em(), c);
    const session = await signedIn(t.url, user.email);
    await client.load(`/admin/users/${user.id}`);
    expect((await client.post(`/admin/users/${user.id}/deactivation`)).headers.location).toBe('/admin/users');
    expect((await session.load('/')).headers.location).toBe('/login');
    const again = new Client(t.url);
    await again.load('/login');
    const res = await again.post('/login', { email: user.email, password: 'correct horse battery' });
    expect(res.status).toBe(401);

    await client.load(`/admin/users/${user.id}`);
    await client.post(`/admin/users/${user.id}/activation`);
    await signedIn(t.url, user.email);
  });

  it('resets a password: the old one stops working and a new invite link is shown', async () => {
    const { company: c, client } = await company();
    const user = await createUser(t.em(), c);
    await client.load(`/admin/users/${user.id}`);
    const res = await client.post(`/admin/users/${user.id}/invitation`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/\/invite\/[\w-]+/);
    const again = new Client(t.url);
    await again.load('/login');
    expect((await again.post('/login', { email: user.email, password: 'correct horse battery' })).status).toBe(401);
  });

  it.each(['director', 'user'] as const)('refuses every user-management route to a %s with 403', async (role) => {
    const c = await createCompany(t.em());
    const target = await createUser(t.em(), c);
    const member = await createUser(t.em(), c, { role });
    const client = await signedIn(t.url, member.email);
    expect((await client.load('/admin/users')).status).toBe(403);
    expect((await client.load('/admin/users/new')).status).toBe(403);
    expect((await client.load(`/admin/users/${target.id}`)).status).toBe(403);
    expect((await client.post('/admin/users', { name: 'X', email: 'x@example.com', role: 'admin', access: 'invite' })).status).toBe(403);
    expect((await client.post(`/admin/users/${target.id}`, { name: 'X', email: target.email, role: 'admin' })).status).toBe(403);
    expect((await client.post(`/admin/users/${target.id}/deactivation`)).status).toBe(403);
    expect(await findUser(target.email)).toMatchObject({ role: 'user', active: true });
  });
});
