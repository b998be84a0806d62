import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('what browsers and proxies may keep', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  it('keeps no private page, fragment or error in a cache; assets are cached, under a versioned path for long', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company);
    const client = await signedIn(t.url, user.email);
    for (const path of ['/', '/crm/tasks', '/chat/panel', '/login', '/no/such/page']) {
      expect([path, (await client.agent.get(path)).headers['cache-control']]).toEqual([path, 'no-store']);
    }
    const home = (await client.agent.get('/')).text;
    const module = /<script type="module" src="(\/assets\/v\/[0-9a-f]{12}\/js\/chat\/main\.js)"/.exec(home)?.[1];
    expect(module).toBeDefined();
    const asset = await client.agent.get(module!);
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await client.agent.get('/assets/css/app.css')).headers['cache-control']).toBe('public, max-age=3600');
  });
});
