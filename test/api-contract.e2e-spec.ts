import { createConfig, lintFromString } from '@redocly/openapi-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { execFileSync } from 'node:child_process';
import ts from 'typescript';
import { createGroup } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { generateToken } from './support/integrations';

const OUT = join(__dirname, '..', 'test-results', 'generated-client');

/** The OpenAPI document as integrators use it: linted, turned into a typed client that compiles, and that client posting. */
describe('the API contract', () => {
  let t: TestApp;
  let document: Record<string, unknown>;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
    document = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as Record<string, unknown>;
  });
  afterAll(() => t.close());

  it('passes redocly’s recommended rules without an error or a warning', async () => {
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: 'openapi.json',
      config: await createConfig({ extends: ['recommended'] }),
    });
    console.log(`redocly lint (recommended): ${problems.length} problems`);
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`)).toEqual([]);
  });

  it('gives a typed client (openapi-typescript) that compiles under strict TypeScript and posts a message', async () => {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'openapi.json'), JSON.stringify(document));
    // Its command line, as an integrator runs it (its own process: the library is ESM underneath).
    execFileSync(
      process.execPath,
      [join(__dirname, '..', 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), join(OUT, 'openapi.json'), '-o', join(OUT, 'api.d.ts')],
      { stdio: 'pipe' },
    );
    const client = `import createClient from 'openapi-fetch';
import type { paths } from './api';

export async function post(baseUrl: string, token: string, key: string) {
  const api = createClient<paths>({ baseUrl });
  const { data, error, response } = await api.POST('/api/v1/messages', {
    headers: { Authorization: \`Bearer \${token}\`, 'Idempotency-Key': key },
    body: { text: 'From a generated client', displayName: 'Typed' },
  });
  if (error) return { status: response.status, detail: error.detail };
  const id: number = data.id;
  return { status: response.status, id, text: data.text };
}
`;
    writeFileSync(join(OUT, 'client.ts'), client);
    const program = ts.createProgram([join(OUT, 'client.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      skipLibCheck: true,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);

    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Typed', []);
    const token = await generateToken(ad, groupId);
    // The same call at run time, through the same library the compiled client uses.
    const api = createClient<never>({ baseUrl: t.url });
    const posted = await (api as unknown as { POST: (path: string, init: object) => Promise<{ data?: { text: string }; response: Response }> }).POST(
      '/api/v1/messages',
      {
        headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': 'typed-1' },
        body: { text: 'From a generated client', displayName: 'Typed' },
      },
    );
    expect(posted.response.status).toBe(201);
    expect(posted.data?.text).toBe('From a generated client');
  });

  it('documents each error as it is served: problem+json with its own example, and the headers that come with it', () => {
    const post = (
      document.paths as Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { example?: { status: number } }>; headers?: object }> }>
      >
    )['/api/v1/messages'].post;
    const errors = Object.entries(post.responses).filter(([status]) => Number(status) >= 400);
    expect(errors.map(([status]) => status).sort()).toEqual(['400', '401', '403', '404', '413', '415', '422', '429', '500', '503']);
    for (const [status, response] of errors) {
      expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json']);
      expect(response.content!['application/problem+json'].example!.status).toBe(Number(status));
    }
    expect(post.responses['429'].headers).toHaveProperty('Retry-After');
    expect(post.responses['201'].headers).toHaveProperty('RateLimit');
    expect(post.responses['200'].headers).toHaveProperty('Idempotency-Replayed');
    expect(JSON.stringify(document)).not.toContain('JWT');
    expect((document.paths as Record<string, object>)['/api/v1/messages']).not.toHaveProperty('options');
  });

  it('lets "Try it out" on /api/docs call from the docs page’s own origin', async () => {
    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Docs', []);
    const token = await generateToken(ad, groupId);
    const preflight = await fetch(`${t.url}/api/v1/messages`, { method: 'OPTIONS', headers: { Origin: t.url, 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(204);
    const res = await fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: { Origin: t.url, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'tried out' }),
    });
    expect(res.status).toBe(201);
  });

  it('names each error with a problem type whose URI describes it', async () => {
    const list = (await (await fetch(`${t.url}/api/problems`)).json()) as { type: string; status: number }[];
    expect(list.length).toBeGreaterThan(15);
    expect(new Set(list.map((p) => p.type)).size).toBe(list.length);
    const unknownToken = await fetch(`${t.url}/api/v1/messages`, { method: 'POST', headers: { Authorization: 'Bearer gwar_nope' } });
    expect(((await unknownToken.json()) as { type: string }).type).toBe('/api/problems/invalid-token');
    const noToken = await fetch(`${t.url}/api/v1/messages`, { method: 'POST' });
    expect(((await noToken.json()) as { type: string }).type).toBe('/api/problems/missing-token');
    const typo = await fetch(`${t.url}/api/v1/nothing-here`);
    const typoProblem = (await typo.json()) as { type: string };
    expect(typoProblem.type).toBe('/api/problems/not-found');
    expect((await fetch(`${t.url}${typoProblem.type}`)).status).toBe(200);
    expect((await fetch(`${t.url}/api/problems/no-such-thing`)).status).toBe(404);
  });
});
