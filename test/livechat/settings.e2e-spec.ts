import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { readOrigin } from '../../src/livechat/settings.form';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { ORIGIN, Visitor } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';

/** Gear → Livechat: the company admin's widget settings, the snippet, and what the loader weighs. */
describe('Livechat settings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  const good = {
    enabled: 'on',
    title: 'Talk to Acme',
    greeting: 'Hi! How can we help?',
    colour: '#AA3300',
    origins: 'https://www.acme.test/\r\nhttp://localhost:8080',
    nameField: 'required',
    emailField: 'off',
    consent: 'I agree to the privacy policy',
    offlineText: 'We are away.',
    maxChats: '4',
    rerouteSeconds: '45',
    retentionDays: '30',
  };

  it('lets the company admin turn the widget on and set it, and shows the snippet that carries its key', async () => {
    const company = await createCompany(t.em(), { plan: 'professional', apiAddon: true });
    const admin = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    expect((await admin.load('/')).text).toContain('href="/livechat/settings"');
    const page = await admin.load('/livechat/settings');
    expect(page.status).toBe(200);
    const key = /\/livechat\/([A-Za-z0-9_-]{20,})\/loader\.js/.exec(page.text)![1];
    expect(page.text).toContain(`&lt;script async src=&quot;${t.url}/livechat/${key}/loader.js&quot;&gt;&lt;/script&gt;`);
    expect(page.text).toContain('data-copy="livechat-snippet"');
    // Defaults: 3 chats, 60 seconds, 90 days.
    expect(page.text).toMatch(/name="maxChats"[^>]*value="3"/);
    expect(page.text).toMatch(/name="rerouteSeconds"[^>]*value="60"/);
    expect(page.text).toMatch(/name="retentionDays"[^>]*value="90"/);
    const saved = await admin.post('/livechat/settings', good);
    expect(saved.status).toBe(303);
    const [row] = await t.em().getConnection().execute(`select * from livechat_settings where company_id = ?`, [company.id]);
    expect(row).toMatchObject({
      enabled: true,
      colour: '#aa3300',
      origins: ['https://www.acme.test', 'http://localhost:8080'],
      name_field: 'required',
      email_field: 'off',
      max_chats: 4,
      reroute_seconds: 45,
      retention_days: 30,
    });
    // The widget now follows the settings: its title, greeting, the name it asks for and the consent line.
    const loader = await request(t.url).get(`/livechat/${key}/loader.js`);
    expect(loader.status).toBe(200);
    expect(loader.text).toContain('Talk to Acme');
    expect(loader.text).toContain('#aa3300');
    const v = await new Visitor(t.url, key, 'https://www.acme.test').issue();
    const state = await v.get('state');
    // Nobody on duty here: the offline text.
    expect(state.text).toContain('We are away.');
    // The test page carries the snippet.
    expect((await admin.load('/livechat/settings/test')).text).toContain(`/livechat/${key}/loader.js`);
  });

  it('brings a refused form back with every field as typed and says what to correct', async () => {
    const company = await createCompany(t.em(), { plan: 'enterprise', apiAddon: true });
    const admin = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    await admin.load('/livechat/settings');
    const bad = {
      ...good,
      colour: 'red',
      origins: 'https://ok.test\nhttps://bad.test/path\n*.evil.test',
      maxChats: '0',
      rerouteSeconds: 'soon',
      greeting: 'Kept <as typed>',
    };
    const res = await admin.post('/livechat/settings', bad, { htmx: true });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="red"');
    expect(res.text).toContain('https://bad.test/path');
    expect(res.text).toContain('Kept &lt;as typed&gt;');
    expect(res.text).toContain('Enter a colour as # and six hex digits');
    expect(res.text).toContain('Each line must be an origin');
    expect(res.text).toContain('Enter a whole number in the range given.');
    expect(res.text).not.toContain('<html');
    const [row] = await t.em().getConnection().execute(`select enabled from livechat_settings where company_id = ?`, [company.id]);
    expect(row.enabled).toBe(false);
    // Hostile shapes never make a 500.
    const odd = await admin.agent
      .post('/livechat/settings')
      .type('form')
      .send(`_csrf=${encodeURIComponent(admin.csrf)}&colour[]=1&origins[a]=b&maxChats=99999999999`);
    expect(odd.status).toBe(422);
  });

  it('is for the company admin only', async () => {
    const company = await createCompany(t.em(), { plan: 'enterprise', apiAddon: true });
    for (const role of ['director', 'user'] as const) {
      const c = await signedIn(t.url, (await createUser(t.em(), company, { role })).email);
      expect((await c.agent.get('/livechat/settings')).status).toBe(403);
      expect((await c.load('/')).text).not.toContain('href="/livechat/settings"');
      expect((await c.post('/livechat/settings', good)).status).toBe(403);
    }
    expect((await request(t.url).get('/livechat/settings')).status).toBe(303);
  });

  it('reads origins as whole origins only', () => {
    expect(readOrigin('https://www.example.com/')).toBe('https://www.example.com');
    expect(readOrigin('HTTP://Example.com:8080')).toBe('http://example.com:8080');
    for (const bad of [
      'example.com',
      'ftp://example.com',
      'https://example.com/shop',
      'https://*.example.com',
      'https://user@example.com',
      'https://example.com?x',
      'javascript:alert(1)',
    ])
      expect(readOrigin(bad)).toBeNull();
  });

  it('keeps the loader under 3 KB gzipped, served gzipped, and the widget’s first open under 60 KB', async () => {
    const company = await createCompany(t.em(), { plan: 'professional', apiAddon: true });
    const admin = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    await admin.load('/livechat/settings');
    await admin.post('/livechat/settings', { ...good, origins: ORIGIN });
    const [{ public_key: key }] = await t.em().getConnection().execute(`select public_key from livechat_settings where company_id = ?`, [company.id]);
    const loader = await request(t.url)
      .get(`/livechat/${key}/loader.js`)
      .set('Accept-Encoding', 'gzip')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(loader.headers['content-encoding']).toBe('gzip');
    const loaderBytes = Number(loader.headers['content-length'] ?? (loader.body as Buffer).length);
    expect(loaderBytes).toBeLessThanOrEqual(3 * 1024);
    // The first open: the page and its three assets, each as sent (gzipped).
    const widget = await request(t.url).get(`/livechat/${key}/widget`);
    const assets = [...widget.text.matchAll(/(?:href|src)="(\/livechat\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(3);
    let total = gzipSync(widget.text).length;
    for (const path of assets) {
      const res = await request(t.url).get(path).set('Accept-Encoding', 'gzip');
      expect(res.headers['content-encoding']).toBe('gzip');
      total += Number(res.headers['content-length']);
    }
    console.log(`livechat bytes (gzipped): loader ${loaderBytes}, first open ${total}`);
    expect(total).toBeLessThanOrEqual(60 * 1024);
  });
});
