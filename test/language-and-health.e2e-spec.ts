import { User } from '../src/accounts/user.entity';
import { createCompany, createUser } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

describe('language and health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  it('follows the browser’s language by default', async () => {
    const polish = await new Client(t.url).agent.get('/login').set('Accept-Language', 'pl-PL,pl;q=0.9,en;q=0.5');
    expect(polish.text).toContain('<html lang="pl">');
    expect(polish.text).toContain('Zaloguj się');
    const german = await new Client(t.url).agent.get('/login').set('Accept-Language', 'de-DE');
    expect(german.text).toContain('<html lang="en">');
  });

  it('keeps a signed-out visitor’s choice in a cookie', async () => {
    const client = new Client(t.url);
    await client.load('/login');
    const res = await client.post('/language', { locale: 'pl', returnTo: '/login' });
    expect(res.headers.location).toBe('/login');
    expect((await client.load('/login')).text).toContain('Zaloguj się');
  });

  it('sends an htmx page back to a return path with a line break or letters beyond Latin-1, encoded as a redirect is', async () => {
    const client = new Client(t.url);
    await client.load('/login');
    const res = await client.post('/language', { locale: 'pl', returnTo: '/crm/tasks?q=zażółć%20x\r\nSet-Cookie: a=b' }, { htmx: true });
    expect(res.status).toBe(200);
    expect(res.headers['hx-redirect']).toBe('/crm/tasks?q=za%C5%BC%C3%B3%C5%82%C4%87%20x%0D%0ASet-Cookie:%20a=b');
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain('a=b');
    const plain = await client.post('/language', { locale: 'pl', returnTo: '/crm/tasks?q=zażółć%20x\r\nSet-Cookie: a=b' });
    expect(plain.headers.location).toBe(res.headers['hx-redirect']);
  });

  it('saves a signed-in user’s choice on the user, so it follows them to another browser', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company);
    const first = await signedIn(t.url, user.email);
    await first.post('/language', { locale: 'pl', returnTo: '/' });
    expect((await t.em().findOneOrFail(User, user.id, { filters: false })).locale).toBe('pl');
    const second = await signedIn(t.url, user.email);
    const home = await second.agent.get('/').set('Accept-Language', 'en');
    expect(home.text).toContain(`Witaj, ${user.name}`);
    await second.load('/');
    await second.post('/language', { locale: 'xx', returnTo: 'https://evil.example.com/' }).expect(303).expect('Location', '/');
    expect((await t.em().findOneOrFail(User, user.id, { filters: false })).locale).toBe('pl');
  });

  it('answers /health with 200 and the database state', async () => {
    const res = await new Client(t.url).agent.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'up' });
  });

  it('renders unknown pages as a 404 page in the visitor’s language', async () => {
    const res = await new Client(t.url).agent.get('/no/such/page').set('Accept-Language', 'pl');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Nie znaleziono');
  });

  it('answers a malformed JSON body with a 400 problem, not a 500', async () => {
    const client = new Client(t.url);
    await client.load('/login');
    const res = await client.agent.post('/login').set('Content-Type', 'application/json').set('Accept', 'application/json').send('{"email": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
