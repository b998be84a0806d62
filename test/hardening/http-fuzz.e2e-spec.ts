import { LoggerService } from '@nestjs/common';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { Asking, ASKINGS, fullBarrage, learnPages, Probe, routeKey, shortBarrage } from './http-plan';
import { HttpRoute, httpRoutes, pool, RawResponse, sendRaw } from './raw-http';
import { Scene, Visitor } from './scene';

interface Outcome extends RawResponse {
  /** The probe as sent, with the way it asked. */
  probe: Probe & { asking: Asking };
}

/** FUZZ_ROUTES=<regular expression> fuzzes only the routes ("POST /crm/:kind") it matches: for a second look at one. */
const FOCUS = process.env.FUZZ_ROUTES ? new RegExp(process.env.FUZZ_ROUTES) : undefined;

/** How a probe asks: as a page, as htmx, as an API client wanting JSON. */
const ASKING: Record<Asking, Record<string, string>> = { page: { Accept: 'text/html' }, htmx: { 'HX-Request': 'true' }, json: { Accept: 'application/json' } };

/** The server's logged errors, to show beside the failures: the first line and where in src/ it was thrown. */
class ErrorLog implements LoggerService {
  private readonly seen = new Map<string, number>();
  log(): void {}
  warn(): void {}
  error(message: unknown): void {
    const text = String(message instanceof Error ? message.stack : message);
    const where = /\((\/[^)]*\/src\/[^)]*)\)/.exec(text)?.[1]?.replace(/.*\/src\//, 'src/') ?? '';
    const key = `${text.split('\n')[0].slice(0, 160)}${where ? ` at ${where}` : ''}`;
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
  }
  summary(): string {
    return [...this.seen].map(([key, n]) => `${String(n).padStart(4)}× ${key}`).join('\n');
  }
}

function histogram(outcomes: Outcome[]): string {
  const counts = new Map<number, number>();
  for (const { status } of outcomes) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
}

/** The failures, with the status each gets when sent again on its own: a failure that does not come back alone is a race between requests. */
function table(outcomes: Outcome[], alone: Outcome[]): string {
  const rows = [
    ['status', 'alone', 'visitor', 'asking', 'method', 'route', 'payload'],
    ...outcomes.map((o, i) => [
      String(o.status || o.error),
      String(alone[i].status),
      o.probe.visitor.label,
      o.probe.asking,
      o.probe.method ?? o.probe.route.method,
      o.probe.route.path,
      o.probe.label,
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.min(40, Math.max(...rows.map((r) => r[i].length))));
  return rows.map((r) => r.map((cell, i) => cell.slice(0, 60).padEnd(widths[i])).join('  ')).join('\n');
}

describe('every HTTP route under malformed input', () => {
  let t: TestApp;
  let scene: Scene;
  let routes: HttpRoute[];
  let filesDir: string;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const errors = new ErrorLog();

  beforeAll(async () => {
    filesDir = await mkdtemp(join(tmpdir(), 'gwar-fuzz-files-'));
    // Limits would answer 429 long before the handlers behind them had seen every payload.
    t = await startTestApp({ FILES_DIR: filesDir, RATE_LIMITS: 'false' });
    scene = await Scene.create(t);
    t.app.useLogger(errors);
    routes = httpRoutes(t.app);
  }, 60_000);
  afterAll(async () => {
    agent.destroy();
    await t.close();
    await rm(filesDir, { recursive: true, force: true });
  });

  const widgetApi = (route: HttpRoute) => route.path.startsWith('/livechat/:key/api');

  const usualVisitor = (route: HttpRoute): Visitor =>
    route.path.startsWith('/api/')
      ? scene.visitors.api[0]
      : widgetApi(route)
        ? scene.livechat.visitors[0]
        : route.path.startsWith('/operator/')
          ? scene.visitors.operator
          : scene.visitors.admin;

  const otherVisitors = (route: HttpRoute): Visitor[] => {
    const { operator, admin, user, starter, anonymous, api } = scene.visitors;
    const browsers = [operator, admin, user, starter, anonymous];
    const others = route.path.startsWith('/api/') ? [...api, admin, anonymous] : widgetApi(route) ? [...scene.livechat.visitors, admin, anonymous] : browsers;
    return others.filter((v) => v !== usualVisitor(route));
  };

  const send = (unsent: Probe, i: number): Promise<Outcome> => {
    const probe = { ...unsent, asking: unsent.asking ?? ASKINGS[i % ASKINGS.length] };
    const visitor = probe.visitor.headers();
    const cookie = [visitor.Cookie, probe.headers?.Cookie].filter(Boolean).join('; ');
    return sendRaw(t.url, agent, {
      method: probe.method ?? probe.route.method,
      path: probe.path,
      headers: {
        ...ASKING[probe.asking],
        ...visitor,
        ...(probe.body?.contentType ? { 'Content-Type': probe.body.contentType } : {}),
        ...probe.body?.headers,
        ...probe.headers,
        ...(cookie ? { Cookie: cookie } : {}),
      },
      body: probe.body?.body,
    }).then((response) => ({ ...response, probe }));
  };

  it('finds the app’s routes in its router, not a handful', () => {
    const keys = routes.map(routeKey);
    expect(routes.length).toBeGreaterThanOrEqual(55);
    expect(keys).toEqual(
      expect.arrayContaining(['POST /api/v1/messages', 'PATCH /chat/messages/:id', 'POST /crm/:kind/:id', 'POST /operator/companies', 'GET /files/:id/:name']),
    );
  });

  it('answers every route, as every kind of visitor, below 500 whatever it is sent', async () => {
    const started = Date.now();
    const known = await learnPages(t.url, routes, scene, usualVisitor);
    expect(known.formCount).toBeGreaterThanOrEqual(15);
    const fuzzed = routes.filter((r) => !FOCUS || FOCUS.test(routeKey(r)));
    const outcomes: Outcome[] = [];
    const thin: string[] = [];
    for (const route of fuzzed) {
      const full = fullBarrage(route, usualVisitor(route), scene, known);
      if (full.filter((p) => !p.label.startsWith('as intended')).length < 20) thin.push(routeKey(route));
      const probes = [full, ...otherVisitors(route).map((v) => shortBarrage(route, v, scene, known))].flat();
      outcomes.push(...(await pool(probes, 6, (probe, i) => send(probe, outcomes.length + i))));
      await scene.repair();
    }

    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`HTTP fuzz: ${fuzzed.length} routes, ${outcomes.length} requests in ${seconds} s; statuses ${histogram(outcomes)}`);
    // No status at all is a failure too: a reset connection, no answer in time, or a request Node would not send.
    const failed = outcomes.filter((o) => o.status >= 500 || o.status <= 0);
    if (failed.length) {
      const alone = await pool(failed, 1, (o) => send(o.probe, 0));
      throw new Error(`${failed.length} requests answered 5xx or not at all:\n${table(failed, alone)}\n\nThe server logged:\n${errors.summary()}`);
    }
    expect(thin).toEqual([]);
    const oversized = outcomes.filter((o) => /of 1 MB$/.test(o.probe.label));
    expect(oversized.filter((o) => o.status !== 413).map((o) => `${routeKey(o.probe.route)} ${o.probe.label}: ${o.status}`)).toEqual([]);
  }, 600_000);
});
