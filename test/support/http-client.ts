import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { PASSWORD } from './factories';

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1];
}

/** A browser-like client: keeps cookies and the CSRF token of the last page it loaded. */
export class Client {
  readonly agent: TestAgent;
  csrf = '';

  constructor(readonly baseUrl: string) {
    this.agent = request.agent(baseUrl);
  }

  async load(path: string) {
    const res = await this.agent.get(path);
    const found = /name="_csrf" value="([^"]+)"/.exec(res.text);
    if (found) this.csrf = found[1];
    return res;
  }

  /** Posts a form the way a browser does, with the CSRF token of the last page. */
  post(path: string, form: Record<string, string> = {}, options: { htmx?: boolean } = {}) {
    const req = this.agent
      .post(path)
      .type('form')
      .send({ _csrf: this.csrf, ...form });
    return options.htmx ? req.set('HX-Request', 'true') : req;
  }

  async signIn(email: string, password = PASSWORD) {
    await this.load('/login');
    const res = await this.post('/login', { email, password });
    if (res.status !== 303) throw new Error(`sign-in of ${email} failed with ${res.status}`);
    await this.load('/');
    return this;
  }

  /** Every cookie the client holds, as a Cookie header: the session, or before sign-in the one the CSRF token is bound to. */
  cookieHeader(): string {
    const cookies = this.agent.jar.getCookies({ domain: new URL(this.baseUrl).hostname, path: '/', secure: false, script: false });
    return cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }

  sessionCookie(): string {
    const cookies = this.agent.jar.getCookies({ domain: new URL(this.baseUrl).hostname, path: '/', secure: false, script: false });
    const session = cookies.find((cookie) => cookie.name === 'gwar_session');
    return session ? `gwar_session=${session.value}` : '';
  }
}

export async function signedIn(baseUrl: string, email: string, password = PASSWORD): Promise<Client> {
  return new Client(baseUrl).signIn(email, password);
}
