import http from 'node:http';
import { createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { fullBarrage, learnPages, routeKey } from './http-plan';
import { HttpRoute, httpRoutes, pool, sendRaw } from './raw-http';
import { Scene, Visitor } from './scene';

/** A signed-in person the scene's things do not belong to. */
class Outsider implements Visitor {
  constructor(
    readonly label: string,
    private readonly cookie: string,
    private readonly csrf: string,
  ) {}

  headers(): Record<string, string> {
    return { Cookie: this.cookie, 'X-CSRF-Token': this.csrf };
  }

  async refresh(): Promise<void> {}
}

/** Routes that name a thing by something other than who asks: a widget's public key, an invitation, a static asset, an API token. */
const PUBLIC = [/^\/livechat\/:key\//, /^\/livechat\/assets\//, /^\/invite\/:token/, /^\/api\//];
/** Routes about one conversation (or its messages, files, tokens, hooks): a colleague outside it is an outsider too. */
const CONVERSATION = [/^\/chat\/conversations\/:id/, /^\/chat\/groups\/:id/, /^\/chat\/messages\/:id/, /^\/files\/:id/, /^\/livechat\/chats\/:id/];

/**
 * Every route that names one of a company's things, asked for exactly as its owner would (the same path, body
 * and way of asking), by someone else: an admin of another company, a colleague outside the conversation, and
 * nobody signed in. Each must be refused (401/403/404, or a way to the sign-in page) and change nothing: a
 * route added later is in the matrix by itself.
 */
describe('the authorization matrix: every route naming a company’s thing, asked by outsiders', () => {
  let t: TestApp;
  let scene: Scene;
  let routes: HttpRoute[];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'false' });
    scene = await Scene.create(t);
    // A CRM list's :kind is a kind of record, not a thing of the company's.
    routes = httpRoutes(t.app).filter((r) => r.params.some((p) => p !== 'kind') && !PUBLIC.some((p) => p.test(r.path)) && r.method !== 'OPTIONS');
  }, 60_000);
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  it('refuses them all', async () => {
    const usual = (route: HttpRoute): Visitor => (route.path.startsWith('/operator/') ? scene.visitors.operator : scene.visitors.admin);
    const known = await learnPages(t.url, httpRoutes(t.app), scene, usual);
    const [otherAdmin] = await t
      .em()
      .getConnection()
      .execute<{ email: string }[]>(`select email from app_user where company_id = ? and role = 'admin'`, [scene.otherCompany.id]);
    const other = await signedIn(t.url, otherAdmin.email);
    const strangerUser = await createUser(t.em(), scene.company, { name: 'Stranger', role: 'user' });
    const stranger = await signedIn(t.url, strangerUser.email);
    const outsiders = {
      other: new Outsider('admin of another company', other.cookieHeader(), other.csrf),
      stranger: new Outsider('colleague outside the conversation', stranger.cookieHeader(), stranger.csrf),
      anonymous: scene.visitors.anonymous,
    };

    const findings: string[] = [];
    let asked = 0;
    for (const route of routes) {
      const who = [outsiders.other, outsiders.anonymous, ...(CONVERSATION.some((p) => p.test(route.path)) ? [outsiders.stranger] : [])];
      const intended = fullBarrage(route, usual(route), scene, known).filter((p) => p.label.startsWith('as intended, asking as'));
      const probes = who.flatMap((visitor) => intended.map((p) => ({ ...p, visitor })));
      const outcomes = await pool(probes, 4, (probe) =>
        sendRaw(t.url, agent, {
          method: probe.route.method,
          path: probe.path,
          headers: {
            ...{ page: { Accept: 'text/html' }, htmx: { 'HX-Request': 'true' }, json: { Accept: 'application/json' } }[probe.asking!],
            ...probe.visitor.headers(),
            ...(probe.body?.contentType ? { 'Content-Type': probe.body.contentType } : {}),
            ...probe.body?.headers,
          },
          body: probe.body?.body,
        }).then((res) => ({ probe, res })),
      );
      asked += outcomes.length;
      for (const { probe, res } of outcomes) {
        const refused = [401, 403, 404].includes(res.status) || (probe.visitor === outsiders.anonymous && res.status === 303);
        if (!refused)
          findings.push(`${String(res.status).padEnd(4)} ${probe.visitor.label.padEnd(36)} ${routeKey(route).padEnd(50)} ${probe.path} (${probe.asking})`);
      }
      await scene.repair();
    }
    console.log(`Authorization matrix: ${routes.length} routes, ${asked} requests by outsiders`);
    expect(routes.length).toBeGreaterThanOrEqual(40);
    expect(findings).toEqual([]);
  }, 300_000);
});
