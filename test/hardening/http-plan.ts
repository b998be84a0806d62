import { randomUUID } from 'node:crypto';
import { PASSWORD } from '../support/factories';
import { Fields, formsIn, queryNamesIn } from './forms';
import { BROKEN_BODIES, encoded, json, ODD_HEADERS, PATH_VALUES, QUERY_VALUES, RawBody, SHARP_FIELD_VALUES, spoiltBodies, upload } from './malformed';
import { fill, HttpRoute } from './raw-http';
import { Scene, Visitor } from './scene';

/** One request of the fuzz: who sends it, where, and what is wrong with it. */
export interface Probe {
  visitor: Visitor;
  route: HttpRoute;
  path: string;
  label: string;
  body?: RawBody;
  headers?: Record<string, string>;
  /** Another method than the route's own: HEAD for a GET route. */
  method?: string;
  /** How it asks (as a page, htmx, or for JSON); by default each probe in turn asks another way. */
  asking?: Asking;
}

export type Asking = 'page' | 'htmx' | 'json';
export const ASKINGS: Asking[] = ['page', 'htmx', 'json'];

/**
 * What a person types into the forms (the pages bring them empty) and what the scripts send without a form, so
 * that the request as intended gets past validation. Everything else comes from the forms of the app's own pages.
 */
const TYPED_FIELDS: Record<string, (scene: Scene) => Fields> = {
  'POST /login': (scene) => ({ email: scene.users.user.email, password: PASSWORD }),
  'POST /invite/:token': () => ({ password: PASSWORD, passwordConfirm: PASSWORD }),
  'POST /admin/users': () => ({ name: 'Fuzzed User', email: `fuzzed-${randomUUID()}@example.com`, password: PASSWORD }),
  'POST /operator/companies': () => ({ companyName: 'Fuzzed Ltd', name: 'Fuzzed Admin', email: `fuzzed-${randomUUID()}@example.com`, password: PASSWORD }),
  'POST /chat/groups': () => ({ name: 'Fuzzed group' }),
  'POST /crm/:kind': () => ({ name: 'Fuzzed record', text: 'Fuzzed note' }),
  'POST /chat/conversations/:id/messages': () => ({ clientId: randomUUID(), body: 'a fuzzed message' }),
  'PATCH /chat/messages/:id': () => ({ body: 'edited by the fuzz' }),
  'POST /chat/conversations/:id/read': (scene) => ({ upTo: String(scene.ids.groupMessage) }),
  'POST /chat/conversations/:id/attachments': () => ({ clientId: randomUUID() }),
  'POST /chat/settings': () => ({ windowWidth: '400', windowHeight: '300', openWindows: '[]', quiet: 'true' }),
  'POST /api/v1/messages': () => ({ text: 'order #1 paid', displayName: 'Shop' }),
};

const UPLOADS = new Set(['POST /chat/conversations/:id/attachments', 'POST /chat/groups/:id/api-token/avatar']);

/** How the route's own client sends a body: the API takes JSON, an upload is multipart, the rest are forms (or JSON for what a form cannot carry). */
function encoderFor(route: HttpRoute): (fields: Record<string, unknown>) => RawBody {
  if (route.path.startsWith('/api/')) return json;
  if (UPLOADS.has(routeKey(route)))
    return (fields) => (Object.values(fields).every((v) => typeof v === 'string') ? upload(fields as Record<string, string>) : json(fields));
  return encoded;
}

/** Query parameters the scripts add. */
const SCRIPT_QUERY = ['since', 'before', 'mode', 'fromMessage', 'returnTo'];

export const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;
const takesBody = (route: HttpRoute) => !['GET', 'OPTIONS'].includes(route.method);

/** What the app's pages send: the fields of each form by where it goes, and every query name in their links. */
export class KnownInput {
  private readonly forms = new Map<string, Fields>();
  private readonly queries = new Set(SCRIPT_QUERY);

  /** Reads a page's forms and links. */
  learn(html: string): void {
    for (const found of formsIn(html)) {
      const key = `${found.method} ${found.action.split('?')[0]}`;
      this.forms.set(key, { ...this.forms.get(key), ...found.fields });
    }
    queryNamesIn(html).forEach((name) => this.queries.add(name));
  }

  /** The intended body for a request to this path, with the CSRF field left to the header. */
  fieldsFor(route: HttpRoute, path: string, scene: Scene): Fields {
    const { _csrf, ...fields } = { ...this.forms.get(`${route.method} ${path}`), ...TYPED_FIELDS[routeKey(route)]?.(scene) };
    return fields;
  }

  /** Every field name any page or script sends: a body that sets them all reaches whatever a route reads. */
  allFieldNames(scene: Scene): string[] {
    const names = new Set<string>();
    for (const fields of this.forms.values()) Object.keys(fields).forEach((n) => names.add(n));
    for (const typed of Object.values(TYPED_FIELDS)) Object.keys(typed(scene)).forEach((n) => names.add(n));
    return [...names];
  }

  get queryNames(): string[] {
    return [...this.queries];
  }

  get formCount(): number {
    return this.forms.size;
  }
}

const withQuery = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;

/**
 * The full barrage for a route as its usual visitor: for the first real set of parameters, every malformed
 * body, path parameter and query string; for each set, every known field spoilt in turn; the intended request
 * last (it may delete what the others needed).
 */
export function fullBarrage(route: HttpRoute, visitor: Visitor, scene: Scene, known: KnownInput): Probe[] {
  const probes: Probe[] = [];
  const hasBody = takesBody(route);
  const allFieldNames = known.allFieldNames(scene);
  scene.realParams(route).forEach((params, i) => {
    const path = fill(route, params);
    const fields = known.fieldsFor(route, path, scene);
    const encode = encoderFor(route);
    const intended = hasBody ? encode(fields) : undefined;
    const probe = (label: string, body = intended, at = path) => probes.push({ visitor, route, path: at, label, body });
    if (i === 0) {
      for (const { label, value } of BROKEN_BODIES.filter((b) => hasBody || b.forEveryRoute)) probe(label, value);
      const ownFields = Object.keys(fields);
      if (hasBody) for (const { label, value } of spoiltBodies(ownFields.length ? ownFields : allFieldNames)) probe(label, value);
      for (const name of route.params) {
        for (const { label, value } of PATH_VALUES) probe(`:${name} ${label}`, intended, fill(route, { ...params, [name]: value }));
      }
      for (const { label, value } of QUERY_VALUES) probe(`query ${label}`, intended, withQuery(path, known.queryNames.map((n) => `${n}=${value}`).join('&')));
      probe('query names repeated', intended, withQuery(path, known.queryNames.map((n) => `${n}=1&${n}=2`).join('&')));
      probe('query names with brackets', intended, withQuery(path, known.queryNames.map((n) => `${n}[toString]=1&${n}[]=2`).join('&')));
      for (const { label, value } of ODD_HEADERS) probes.push({ visitor, route, path, label, body: intended, headers: value });
      if (route.method === 'GET') probes.push({ visitor, route, path, label: 'as intended, asked with HEAD', method: 'HEAD' });
    }
    // A spoilt field is sent the way the pages send their forms, with htmx, whose answers carry it into headers.
    if (hasBody) {
      for (const name of Object.keys(fields)) {
        for (const { label, value } of SHARP_FIELD_VALUES)
          probes.push({ visitor, route, path, label: `${name} ${label}`, body: encode({ ...fields, [name]: value }), asking: 'htmx' });
      }
    }
    for (const asking of ASKINGS) probes.push({ visitor, route, path, label: `as intended, asking as ${asking}`, body: intended, asking });
  });
  return probes;
}

/** A few probes for a visitor the route is not meant for (the guards answer), or a second look as another role. */
export function shortBarrage(route: HttpRoute, visitor: Visitor, scene: Scene, known: KnownInput): Probe[] {
  const [params] = scene.realParams(route);
  const path = fill(route, params);
  const fields = known.fieldsFor(route, path, scene);
  const wanted = new Set(['JSON that does not parse', 'every field an object with toString null']);
  const probes: Probe[] = [...BROKEN_BODIES, ...spoiltBodies(Object.keys(fields).length ? Object.keys(fields) : ['id'])]
    .filter((b) => wanted.has(b.label))
    .map(({ label, value }) => ({ visitor, route, path, label, body: value }));
  for (const name of route.params) {
    probes.push({ visitor, route, path: fill(route, { ...params, [name]: '9223372036854775808' }), label: `:${name} 2^63` });
  }
  probes.push({ visitor, route, path, label: 'as intended', body: takesBody(route) ? encoderFor(route)(fields) : undefined });
  return probes;
}

/** The forms and links of every page, as the visitor each route is meant for and before sign-in. */
export async function learnPages(url: string, routes: HttpRoute[], scene: Scene, usualVisitor: (route: HttpRoute) => Visitor): Promise<KnownInput> {
  const known = new KnownInput();
  for (const route of routes.filter((r) => r.method === 'GET')) {
    for (const params of scene.realParams(route)) {
      for (const visitor of [usualVisitor(route), scene.visitors.anonymous]) {
        for (const asking of [{}, { 'HX-Request': 'true' }] as Record<string, string>[]) {
          const res = await fetch(`${url}${fill(route, params)}`, { headers: { ...visitor.headers(), ...asking }, redirect: 'manual' });
          if (res.headers.get('content-type')?.includes('text/html')) known.learn(await res.text());
        }
      }
    }
  }
  return known;
}
