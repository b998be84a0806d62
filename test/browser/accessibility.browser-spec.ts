import { Page } from 'playwright-core';
import { Company } from '../../src/accounts/company.entity';
import { User } from '../../src/accounts/user.entity';
import { createGroup, directConversation, send } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { chatReady, openFromPanel, signInToChat } from './chat-helpers';
import { axeReport, AxeViolation, axeViolations, browserTest, BrowserUser, describeBrowser, Harness, htmxReady, openHarness } from './harness';

type Locale = 'en' | 'pl';

/**
 * axe-core (WCAG 2.0/2.1 A and AA, and best practices) on every kind of page in both languages, with its menus,
 * dialogs and pickers open: none may have a serious or critical violation. The counts are printed as a table.
 */
describeBrowser('every page type passes axe in English and Polish', () => {
  let h: Harness;
  let acme: Company;
  let ann: User;
  let bob: User;
  let olga: User;
  let a: BrowserUser;
  let o: BrowserUser;
  let groupId: number;
  let crmCompanyUrl: string;
  const counts = new Map<string, Record<Locale, string>>();
  const reports: string[] = [];

  async function audit(page: Page, pageType: string, locale: Locale): Promise<void> {
    // The API documentation is in English only.
    if (pageType !== 'API documentation') {
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
      expect(await page.locator('h1').count()).toBeGreaterThan(0);
    }
    const found: AxeViolation[] = await axeViolations(page);
    const critical = found.filter((v) => v.impact === 'critical').reduce((n, v) => n + v.nodes.length, 0);
    const serious = found.filter((v) => v.impact === 'serious').reduce((n, v) => n + v.nodes.length, 0);
    const row = counts.get(pageType) ?? ({} as Record<Locale, string>);
    row[locale] = `${critical}/${serious}`;
    counts.set(pageType, row);
    if (found.length) reports.push(`${pageType} (${locale}) at ${page.url()}:\n${axeReport(found)}`);
  }

  async function visit(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await htmxReady(page);
  }

  beforeAll(async () => {
    h = await openHarness();
    // The setup page is there only before the first organization exists.
    for (const locale of ['en', 'pl'] as const) {
      const visitor = await h.newUser({ label: `setup-${locale}`, locale: locale === 'pl' ? 'pl-PL' : 'en-US' });
      await visit(visitor.page, '/setup');
      await audit(visitor.page, 'setup', locale);
      await visitor.page.locator('main form button[type="submit"]').click();
      await visitor.page.locator('[aria-invalid="true"]').first().waitFor();
      await audit(visitor.page, 'setup, failed save', locale);
      await visitor.context.close();
    }
    const em = h.app.em();
    const operator = await createCompany(em, { name: 'Operator', operator: true, plan: 'supreme' });
    olga = await createUser(em, operator, { name: 'Olga Operator', role: 'admin' });
    await em.getConnection().execute(`update app_user set support_agent = true where id = ?`, [olga.id]);
    acme = await createCompany(em, { name: 'Acme', plan: 'enterprise', apiAddon: true });
    ann = await createUser(em, acme, { name: 'Ann Admin', role: 'admin' });
    await em.getConnection().execute(`update app_user set callback_configured = true where id = ?`, [ann.id]);
    bob = await createUser(em, acme, { name: 'Bob Builder' });
    const annApi = await signedIn(h.url, ann.email);
    const bobApi = await signedIn(h.url, bob.email);
    groupId = await createGroup(annApi, 'Sales', [bob.id]);
    const direct = await directConversation(annApi, bob.id);
    await send(annApi, direct, 'Hello Bob, the offer is ready');
    await send(bobApi, direct, 'Thanks Ann, reading it now');
    await send(bobApi, groupId, 'Morning, team');
    await annApi.load('/crm/companies/new');
    const created = await annApi.post('/crm/companies', { name: 'Nordwind' });
    crmCompanyUrl = created.headers.location;
    a = await signInToChat(h, ann, 'ann');
    o = await signInToChat(h, olga, 'olga');
  });
  afterAll(() => h?.close());

  async function sweep(locale: Locale): Promise<void> {
    await h.app.em().getConnection().execute(`update app_user set locale = ?`, [locale]);
    const visitor = await h.newUser({ label: `visitor-${locale}`, locale: locale === 'pl' ? 'pl-PL' : 'en-US' });
    await visit(visitor.page, '/login');
    await audit(visitor.page, 'sign-in', locale);

    const { page } = a;
    await visit(page, '/');
    await chatReady(page);
    await audit(page, 'home with the panel', locale);
    await page.locator('.panel-gear > summary').click();
    await audit(page, 'home, chat settings open', locale);
    await page.keyboard.press('Escape');
    await page.locator('#status-picker > summary').click();
    await audit(page, 'home, status list open', locale);
    await page.keyboard.press('Escape');

    const win = await openFromPanel(page, `u${bob.id}`, bob.name);
    await win.locator('li.msg.theirs').first().waitFor();
    await audit(page, 'chat window with messages', locale);
    await win.locator('li.msg.mine [data-action="menu"]').first().click();
    await audit(page, 'chat window, message menu open', locale);
    await page.keyboard.press('Escape');
    await win.locator('[data-action="emoji"]').click();
    await audit(page, 'chat window, emoji picker open', locale);
    await page.keyboard.press('Escape');
    const groupWin = await openFromPanel(page, `c${groupId}`, 'Sales');
    await groupWin.locator('.win-gear > summary').click();
    await audit(page, 'group window, gear open', locale);
    await page.keyboard.press('Escape');
    await page.locator('.panel-gear > summary').click();
    await page.locator('[hx-get="/chat/groups/new"]').click();
    await page.locator('#chat-dialog[open] form.group-form').waitFor();
    await audit(page, 'add group dialog', locale);
    await page.keyboard.press('Escape');
    await page.evaluate(() => document.querySelectorAll<HTMLElement>('section.chat-window [data-action="close"]').forEach((b) => b.click()));

    for (const [pageType, url] of [
      ['conversation page', `/chat/users/${bob.id}`],
      ['person details page', `/chat/users/${bob.id}/details`],
      ['group form page', `/chat/groups/${groupId}/edit`],
      ['group API token page', `/chat/groups/${groupId}/api-token`],
      ['Help conversation page', '/chat/help'],
      ['CRM list', '/crm/companies'],
      ['CRM record', crmCompanyUrl],
      ['CRM form', `${crmCompanyUrl}/edit`],
      ['users', '/admin/users'],
      ['user form', `/admin/users/${bob.id}`],
      ['not found', '/no-such-page'],
      ['Callback settings', '/callback/settings'],
      ['Callback history', '/callback/history'],
      ['Callback queue', '/callback'],
    ]) {
      await visit(page, url);
      await audit(page, pageType, locale);
    }
    await visit(page, '/crm/tasks/new');
    await page.locator('form.form button[type="submit"]').click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    // The failed save is read out from the page's alert region and the focus is on the first field to correct.
    await page.locator('#page-alert', { hasText: locale === 'en' ? 'Not saved.' : 'Nie zapisano.' }).waitFor({ state: 'attached' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-name');
    await audit(page, 'CRM form, failed save', locale);

    await visit(page, '/admin/users/new');
    await page.locator('#f-name').fill(`Invited ${locale}`);
    await page.locator('#f-email').fill(`invited-${locale}@example.com`);
    await page.locator('#f-access-invite').check();
    await page.locator('form.form button[type="submit"]').click();
    const inviteUrl = await page.locator('#invite-url').inputValue();
    await audit(page, 'user created', locale);
    await visit(visitor.page, new URL(inviteUrl).pathname);
    await audit(visitor.page, 'invite', locale);
    await visitor.context.close();

    await h.app.em().getConnection().execute(`update chat_settings set split_tabs = true, open_in = 'main' where user_id = ?`, [ann.id]);
    await visit(page, '/');
    await openFromPanel(page, `u${bob.id}`, bob.name);
    await audit(page, 'conversation in the main panel, two tabs', locale);
    await h.app.em().getConnection().execute(`update chat_settings set split_tabs = false, open_in = 'window', collapsed = true where user_id = ?`, [ann.id]);
    await visit(page, '/');
    await audit(page, 'collapsed panel', locale);
    await h.app.em().getConnection().execute(`update chat_settings set collapsed = false where user_id = ?`, [ann.id]);

    // At 320 CSS pixels (400% zoom of a 1280 px window) nothing scrolls sideways, the CRM's sub-menu included.
    await page.setViewportSize({ width: 320, height: 640 });
    await visit(page, '/crm/companies');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await audit(page, 'CRM list at 320 px', locale);
    await page.setViewportSize({ width: 1280, height: 720 });

    for (const [pageType, url] of [
      ['company accounts', '/operator/companies'],
      ['company account form', '/operator/companies/new'],
      ['support', '/support'],
      ['support, closed', '/support/closed'],
      ['API documentation', '/api/docs'],
    ]) {
      await o.page.goto(url);
      if (url === '/api/docs') await o.page.locator('.swagger-ui .opblock').first().waitFor();
      await audit(o.page, pageType, locale);
    }
  }

  browserTest(
    'none has a serious or critical violation, with menus, pickers and dialogs open',
    async () => {
      await sweep('en');
      await sweep('pl');
      const table = [...counts].map(([pageType, row]) => `| ${pageType} | ${row.en ?? '–'} | ${row.pl ?? '–'} |`).join('\n');
      console.log(`axe, critical/serious per page type:\n| page | en | pl |\n|---|---|---|\n${table}`);
      expect(reports.join('\n\n')).toBe('');
    },
    240_000,
  );
});
