/**
 * The forms and links of the app's own pages, read from their HTML: what each route is sent when used as
 * intended. Fuzzing starts from these, so a field added to a form is fuzzed without anyone listing it.
 */

export type Fields = Record<string, string | string[]>;

export interface FoundForm {
  method: string;
  /** Path and query of where the form goes. */
  action: string;
  fields: Fields;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>' };
const decode = (s: string) => s.replace(/&(?:amp|quot|#39|lt|gt);/g, (e) => ENTITIES[e]);

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [, name, value] of tag.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) found[name.toLowerCase()] = decode(value ?? '');
  return found;
}

function add(fields: Fields, name: string, value: string): void {
  const had = fields[name];
  fields[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
}

function fieldsOf(inner: string): Fields {
  const fields: Fields = {};
  for (const [, tag] of inner.matchAll(/<input\b([^>]*)>/gi)) {
    const a = attributes(tag);
    if (!a.name || a.type === 'file' || (a.type === 'radio' && !('checked' in a))) continue;
    add(fields, a.name, a.value ?? (a.type === 'checkbox' ? 'on' : ''));
  }
  for (const [, tag, content] of inner.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
    const a = attributes(tag);
    if (a.name) add(fields, a.name, decode(content));
  }
  for (const [, tag, options] of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
    const a = attributes(tag);
    const all = [...options.matchAll(/<option\b([^>]*)>/gi)].map(([, o]) => attributes(o));
    const chosen = all.find((o) => 'selected' in o) ?? all.find((o) => o.value) ?? all[0];
    if (a.name) add(fields, a.name, chosen?.value ?? '');
  }
  for (const [, tag] of inner.matchAll(/<button\b([^>]*)>/gi)) {
    const a = attributes(tag);
    if (a.name && fields[a.name] === undefined) fields[a.name] = a.value ?? '';
  }
  return fields;
}

/** Every form in a page, with the method htmx or the browser would use. */
export function formsIn(html: string): FoundForm[] {
  const forms: FoundForm[] = [];
  for (const [, tag, inner] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const a = attributes(tag);
    const hx = ['get', 'post', 'put', 'patch', 'delete'].find((m) => a[`hx-${m}`]);
    const method = hx ?? (a.method || 'get').toLowerCase();
    const action = hx ? a[`hx-${hx}`] : a.action;
    if (action?.startsWith('/')) forms.push({ method: method.toUpperCase(), action, fields: fieldsOf(inner) });
  }
  return forms;
}

/** The names of every query parameter in the page's links and GET forms. */
export function queryNamesIn(html: string): string[] {
  const names = new Set<string>();
  for (const [, url] of html.matchAll(/(?:href|hx-get|action)="(\/[^"]*\?[^"]*)"/g)) {
    for (const name of new URLSearchParams(decode(url).split('?')[1]).keys()) names.add(name);
  }
  for (const form of formsIn(html).filter((f) => f.method === 'GET')) Object.keys(form.fields).forEach((name) => names.add(name));
  return [...names];
}
