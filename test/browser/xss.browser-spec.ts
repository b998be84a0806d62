import { randomUUID } from 'node:crypto';
import { Frame, Page } from 'playwright-core';
import sharp from 'sharp';
import type { User } from '../../src/accounts/user.entity';
import { createGroup, directConversation, send } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { generateToken } from '../support/integrations';
import { Consultant, consultant, livechatCompany, Visitor } from '../support/livechat';
import { chatReady, openFromPanel, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectNoPageErrors, Harness, htmxReady, openHarness } from './harness';
import { chooseStatus } from './website';

/**
 * Hostile text in every place a user, an integrator or a website visitor can put text, read back on every page
 * type that shows it, as a page load, an htmx swap and a live push. Each payload calls `__xss(n)` if it ever
 * runs; the pages are also searched for what a payload would have made (handlers, javascript: links, frames,
 * scripts), since the Content-Security-Policy alone would hide an injection that did not run.
 */
const PAYLOADS = (n: number): string[] => [
  `<script>__xss(${n})</script>`,
  `<img src=x onerror=__xss(${n + 1})>`,
  `"><svg onload=__xss(${n + 2})>`,
  `'><iframe srcdoc="<script>parent.__xss(${n + 3})</script>"></iframe>`,
  `javascript:__xss(${n + 4})`,
  `<a href="javascript:__xss(${n + 5})">click</a>`,
  `</textarea><img src=x onerror=__xss(${n + 6})>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=__xss(${n + 7})>`,
  `https://example.com/"onmouseover="__xss(${n + 8})"x=`,
  `<javascript:__xss(${n + 9})|click me>`,
  `<https://example.com|<img src=x onerror=__xss(${n + 10})>>`,
  `{{ __xss(${n + 11}) }} {% raw %}{{7*7}}`,
  `[x](javascript:__xss(${n + 12}))`,
  `<details open ontoggle=__xss(${n + 13})>`,
  `@all <b onmouseover=__xss(${n + 14})>bold</b>`,
  `www.example.com/<img/src=x/onerror=__xss(${n + 15})>`,
];

interface Finding {
  where: string;
  what: string;
}

/** What a payload would have made in a document (and the frames and templates in it). */
function injected(): string[] {
  const found: string[] = [];
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background'];
  const walk = (root: Document | DocumentFragment) => {
    for (const el of Array.from(root.querySelectorAll('*'))) {
      const tag = el.tagName.toLowerCase();
      for (const attr of Array.from(el.attributes)) {
        if (attr.name.startsWith('on') && /__xss/.test(attr.value)) found.push(`<${tag} ${attr.name}="${attr.value}">`);
        if (urlAttributes.includes(attr.name) && /^\s*javascript:/i.test(attr.value)) found.push(`<${tag} ${attr.name}="${attr.value}">`);
        if (attr.name === 'srcdoc' && /__xss/.test(attr.value)) found.push(`<${tag} srcdoc>`);
      }
      if (tag === 'script' && /__xss/.test(el.textContent ?? '')) found.push('<script> with a payload');
      if (tag === 'img' && el.getAttribute('src') === 'x') found.push('<img src=x>');
      if (tag === 'template') walk((el as HTMLTemplateElement).content);
    }
  };
  walk(document);
  return found;
}

describeBrowser('hostile text everywhere it can be written is shown as text', () => {
  let h: Harness;
  let ann: User;
  let bob: User;
  let operator: User;
  let annClient: Client;
  let groupId: number;
  let directId: number;
  let taskId: number;
  let crmCompanyId: number;
  let livechatId: number;
  let key: string;
  let lena: Consultant;
  let visitor: Visitor;
  const findings: Finding[] = [];

  beforeAll(async () => {
    // Limits off: the corpus is sent faster than a person types, and a refused send would hide a push.
    h = await openHarness({ LIVECHAT_SWEEP_MS: '300', RATE_LIMITS: 'false' });
    const em = h.app.em();
    const operatorCompany = await createCompany(em, { operator: true, plan: 'supreme', name: 'Operator' });
    operator = await createUser(em, operatorCompany, { role: 'admin', name: 'Olga Operator' });
    const widget = await livechatCompany(h.app, {}, { plan: 'enterprise' });
    key = widget.key;
    const company = widget.company;
    const db = em.getConnection();
    await db.execute(`update company set name = ? where id = ?`, [`Acme <img src=x onerror=__xss(1)>`, company.id]);
    ann = await createUser(em, company, { role: 'admin', name: 'Ann Admin' });
    // Names go straight into the database: whatever validation lets through today, the pages must show as text.
    bob = await createUser(em, company, { name: `Bob "><img src=x onerror=__xss(2)>` });
    await createUser(em, company, { name: `<script>__xss(3)</script> Carl` });
    await db.execute(`update livechat_settings set title = ?, greeting = ?, offline_text = ?, consent = ?, name_field = 'optional' where company_id = ?`, [
      `Help <img src=x onerror=__xss(4)>`,
      `Hi "><svg onload=__xss(5)>`,
      `<script>__xss(6)</script>`,
      `I agree <a href="javascript:__xss(7)">x</a>`,
      company.id,
    ]);
    annClient = await signedIn(h.url, ann.email);
    groupId = await createGroup(annClient, `Team <img src=x onerror=__xss(8)>`, [bob.id]);
    directId = await directConversation(annClient, bob.id);

    const [task] = await db.execute<{ id: number }[]>(
      `insert into crm_company (company_id, name, email, website, phone) values (?, ?, 'x@example.com', 'javascript:__xss(19)', 'javascript:__xss(20)') returning id`,
      [company.id, `Client <svg onload=__xss(9)>`],
    );
    crmCompanyId = task.id;
    const [made] = await db.execute<{ id: number }[]>(
      `insert into crm_task (company_id, name, assignee_id, crm_company_id, due_date) values (?, ?, ?, ?, '2030-01-31') returning id`,
      [company.id, `Call "><img src=x onerror=__xss(10)>`, bob.id, crmCompanyId],
    );
    taskId = made.id;

    let n = 100;
    for (const text of PAYLOADS(n)) await send(annClient, groupId, text);
    n += 100;
    for (const text of PAYLOADS(n)) await send(annClient, directId, text);
    await send(annClient, groupId, `The task: ${h.url}/crm/tasks/${taskId} and the client ${h.url}/crm/companies/${crmCompanyId}`);
    const { id: quoted } = await send(annClient, groupId, `<img src=x onerror=__xss(11)> to be quoted`);
    await send(annClient, groupId, 'a reply', randomUUID(), { replyTo: String(quoted) });

    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const upload = await annClient.agent
      .post(`/chat/conversations/${groupId}/attachments`)
      .set('X-CSRF-Token', annClient.csrf)
      .set('HX-Request', 'true')
      .field('clientId', randomUUID())
      .attach('file', png, `"><img src=x onerror=__xss(12)>.png`);
    if (upload.status !== 201) throw new Error(`the upload gave ${upload.status}`);

    const token = await generateToken(annClient, groupId, { integrationName: `Shop <img src=x onerror=__xss(13)>` });
    n += 100;
    for (const text of PAYLOADS(n)) {
      const res = await fetch(`${h.url}/api/v1/messages`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ text, displayName: `<img src=x onerror=__xss(14)>` }),
      });
      if (res.status !== 201) throw new Error(`the API post gave ${res.status}: ${await res.text()}`);
    }

    // Callback requests with a hostile name, topic and page, in the queue and the history.
    await db.execute(
      `insert into callback_settings (company_id, enabled, default_country, work_days, work_start, work_end) values (?, true, 'PL', '{1,2,3,4,5,6,7}', '00:00', '23:59')`,
      [company.id],
    );
    await db.execute(`update app_user set callback_configured = true, livechat_configured = true where id = ?`, [ann.id]);
    for (const [i, phone] of ['600 100 200', '600 100 201'].entries()) {
      const res = await fetch(`${h.url}/api/v1/callbacks`, {
        method: 'POST',
        headers: { 'X-Widget-Key': key, Origin: 'https://shop.example.com', 'Content-Type': 'application/json' },
        body: JSON.stringify({
          phone,
          consent: true,
          name: PAYLOADS(800 + 20 * i)[i],
          topic: PAYLOADS(800 + 20 * i)[i + 2],
          page: 'https://shop.example.com/"><svg onload=__xss(21)>',
        }),
      });
      if (res.status !== 201) throw new Error(`the callback request gave ${res.status}: ${await res.text()}`);
    }

    // A website visitor with a hostile name and hostile messages, answered by Lena.
    lena = await consultant(h.app, company, 'livechat', 'Lena Consultant');
    visitor = await new Visitor(h.url, key).issue();
    n += 100;
    const [first, ...rest] = PAYLOADS(n);
    const started = await visitor.start(first, { name: `Vera <img src=x onerror=__xss(15)>`, email: 'vera@example.org', consent: 'on' });
    if (!visitor.chat) throw new Error(`the visitor's chat did not start: ${started.status} ${started.text.slice(0, 300)}`);
    for (const text of rest) await visitor.send(text);
    const [chat] = await db.execute<{ id: number }[]>(`select id from livechat_chat where public_id = ?`, [visitor.chat]);
    livechatId = chat.id;
    for (const text of PAYLOADS(n + 50).slice(0, 4))
      await lena.client.post(`/livechat/chats/${livechatId}/messages`, { clientId: randomUUID(), body: text }, { htmx: true });
  }, 120_000);
  afterAll(async () => {
    lena?.page.close();
    await h?.close();
  });

  async function watch(person: BrowserUser): Promise<void> {
    await person.context.addInitScript(() => {
      const w = window as unknown as { __xss: (n: number) => void; xssRan: number[] };
      w.xssRan = [];
      w.__xss = (n: number) => w.xssRan.push(n);
    });
    person.page.on('dialog', (dialog) => {
      findings.push({ where: person.page.url(), what: `a dialog: ${dialog.message()}` });
      void dialog.dismiss();
    });
  }

  async function check(where: string, target: Page | Frame): Promise<void> {
    const ran = await target.evaluate(() => (window as unknown as { xssRan?: number[] }).xssRan ?? []);
    for (const n of ran) findings.push({ where, what: `payload ${n} ran` });
    for (const what of await target.evaluate(injected)) findings.push({ where, what });
  }

  async function visit(person: BrowserUser, path: string): Promise<void> {
    const res = await person.page.goto(path);
    if (!res || res.status() >= 400) findings.push({ where: path, what: `answered ${res?.status()}` });
    await htmxReady(person.page);
    await check(path, person.page);
  }

  browserTest(
    'on every page type, as loaded, swapped in by htmx and pushed live',
    async () => {
      const a = await h.newUser({ label: 'ann' });
      await watch(a);
      await a.page.goto('/login');
      await htmxReady(a.page);
      await a.page.getByLabel('E-mail', { exact: true }).fill(ann.email);
      await a.page.getByLabel('Password', { exact: true }).fill('correct horse battery');
      await a.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await chatReady(a.page);

      for (const path of [
        '/',
        `/chat/conversations/${groupId}`,
        `/chat/conversations/${directId}`,
        `/chat/users/${bob.id}/details`,
        `/chat/groups/${groupId}/api-token`,
        '/search?q=xss',
        `/search?q=${encodeURIComponent('<img src=x onerror=__xss(16)>')}`,
        '/crm/tasks',
        `/crm/tasks/${taskId}`,
        '/crm/companies',
        `/crm/companies/${crmCompanyId}`,
        `/crm/tasks/new?name=${encodeURIComponent('"><img src=x onerror=__xss(17)>')}`,
        '/admin/users',
        '/livechat/settings',
        '/livechat/settings/test',
        '/livechat/left-messages',
      ])
        await visit(a, path);

      // The CallBack group, as a Callback consultant sees it, and its history.
      const status = await chooseStatus(a.page, 'callback');
      expect(status).toBe(204);
      await visit(a, '/callback');
      await a.page.getByText(PAYLOADS(800)[0]).first().waitFor();
      await visit(a, '/callback/history');
      await a.page.goto('/');
      await chatReady(a.page);
      await a.page.locator('#callback-section, [id^="callback"]').first().waitFor({ state: 'attached' });
      await check('the CallBack group in the panel', a.page);

      // The group opened as a window (an htmx swap), then messages pushed into it while it is open.
      await a.page.goto('/');
      await chatReady(a.page);
      const win = await openFromPanel(a.page, `c${groupId}`, `Team <img src=x onerror=__xss(8)>`);
      await win.locator('li.msg').first().waitFor();
      await check('the group as a window', a.page);

      const b = await h.newUser({ label: 'bob' });
      await watch(b);
      await b.page.goto('/login');
      await htmxReady(b.page);
      await b.page.getByLabel('E-mail', { exact: true }).fill(bob.email);
      await b.page.getByLabel('Password', { exact: true }).fill('correct horse battery');
      await b.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await chatReady(b.page);
      const bobWin = await openFromPanel(b.page, `c${groupId}`, `Team <img src=x onerror=__xss(8)>`);
      await bobWin.locator('li.msg').first().waitFor();
      for (const text of PAYLOADS(600)) expect((await send(annClient, groupId, text)).res.status).toBe(201);
      await bobWin.locator('li.msg', { hasText: `@all <b onmouseover=__xss(614)>bold</b>` }).waitFor();
      await check('pushed into an open window', b.page);
      // Pushed into the panel while the window is closed: the badge, the entry and the notification.
      await bobWin.getByRole('button', { name: 'Close' }).click();
      await send(annClient, directId, `<img src=x onerror=__xss(18)> while closed`);
      await b.page.locator(`#unread-u${ann.id}:not(.empty)`).waitFor();
      await check('pushed into the panel', b.page);
      await visit(b, '/');

      const o = await signInToChat(h, operator, 'operator');
      await watch(o);
      await visit(o, '/operator/companies');

      // The consultant's chat, then the visitor's next messages pushed into it.
      const l = await signInToChat(h, lena.user, 'lena');
      await watch(l);
      await visit(l, `/livechat/chats/${livechatId}`);
      for (const text of PAYLOADS(700).slice(0, 6)) await visitor.send(text);
      await l.page.getByText(`'><iframe srcdoc="<script>parent.__xss(703)</script>"></iframe>`).waitFor();
      await check('pushed into the consultant’s chat', l.page);
      await visit(l, '/livechat/conversations');
      await visit(l, `/livechat/conversations/${livechatId}`);

      // The website's visitor, in the widget on its own page, with the consultant's answers.
      const v = await h.newUser({ label: 'visitor' });
      await watch(v);
      await v.page.goto(`/livechat/${key}/widget`);
      await check('the widget', v.page);
      // What the widget swaps in for its visitor (the chat with the consultant's answers), parsed as the page would.
      for (const path of ['state', `chats/${visitor.chat}/messages`]) {
        const res = await visitor.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        await v.page.evaluate((html) => {
          const holder = document.createElement('template');
          holder.innerHTML = html;
          document.body.append(holder);
        }, res.text);
      }
      expect(await v.page.evaluate(() => document.querySelectorAll('template').length)).toBeGreaterThanOrEqual(2);
      await check('the widget’s chat', v.page);

      expect(findings).toEqual([]);
      expectNoPageErrors(a);
      expectNoPageErrors(b);
    },
    180_000,
  );
});
