import type { Company } from '../../src/accounts/company.entity';
import { createCompany, createUser } from '../support/factories';
import { browserTest, describeBrowser, Harness, openHarness } from './harness';
import { signInToChat } from './chat-helpers';
import { chooseStatus } from './website';

/**
 * The proof of work in a real browser: with the threshold at 0 every new chat from the address is challenged, and
 * the widget loads ALTCHA (only then), lets the visitor's browser solve it in a worker under the widget's CSP,
 * and sends the solution with the chat.
 */
describeBrowser('Livechat: an address past the threshold solves a proof of work in the widget', () => {
  let h: Harness;
  let company: Company;
  const key = `c${Date.now()}abcdefghijklmnop`;

  beforeAll(async () => {
    h = await openHarness({ LIVECHAT_SWEEP_MS: '300', LIVECHAT_CHALLENGE_AFTER: '0' });
    await createCompany(h.app.em(), { name: 'Operator', operator: true, plan: 'supreme' });
    company = await createCompany(h.app.em(), { name: 'Acme', plan: 'professional', apiAddon: true });
    await h.app
      .em()
      .getConnection()
      .execute(`insert into livechat_settings (company_id, public_key, enabled, title, origins) values (?, ?, true, 'Talk to Acme', '{}')`, [company.id, key]);
  });
  afterAll(async () => {
    await h?.close();
  });

  browserTest('the first chat is refused with the check, solved by the browser, then sent', async () => {
    const anna = await createUser(h.app.em(), company, { name: 'Anna Consultant' });
    await h.app.em().getConnection().execute(`update app_user set livechat_configured = true where id = ?`, [anna.id]);
    const a = await signInToChat(h, anna, 'anna');
    await chooseStatus(a.page, 'livechat');
    await a.page.locator('#livechat-section', { hasText: 'No chats.' }).waitFor();

    const v = await h.newUser({ label: 'challenged-visitor' });
    const loaded: string[] = [];
    v.page.on('request', (request) => loaded.push(request.url()));
    await v.page.goto(`${h.url}/livechat/${key}/widget`);
    await v.page.getByRole('button', { name: 'Start the chat' }).waitFor();
    expect(loaded.some((url) => url.includes('altcha'))).toBe(false); // not part of the first open
    await v.page.getByLabel('Your message').fill('Hello, is anyone there?');
    await v.page.getByRole('button', { name: 'Start the chat' }).click();
    await v.page.getByText('Let your browser solve a short check').waitFor();
    expect(await v.page.getByLabel('Your message').inputValue()).toBe('Hello, is anyone there?');
    // ALTCHA solves it by itself (auto on load), and the chat is sent once it is solved.
    await v.page.locator('altcha-widget').waitFor();
    await v.page.locator('#lc-log', { hasText: 'Hello, is anyone there?' }).waitFor({ timeout: 60_000 });
    expect(v.errors.filter((e) => /Content Security Policy|Refused/.test(e))).toEqual([]);
    await a.page.locator('#livechat-section a', { hasText: 'Visitor' }).waitFor({ timeout: 5000 });
  });

  browserTest('the "Call me back" tab over the threshold shows the check, keeps what was typed, and sends once solved', async () => {
    await h.app
      .em()
      .getConnection()
      .execute(
        `insert into callback_settings (company_id, enabled, default_country, challenge_after, work_days, work_start, work_end) values (?, true, 'PL', 1, '{1,2,3,4,5,6,7}', '00:00', '23:59')
         on conflict (company_id) do update set enabled = true, challenge_after = 1, work_days = excluded.work_days, work_start = '00:00', work_end = '23:59'`,
        [company.id],
      );
    const v = await h.newUser({ label: 'callback-visitor' });
    await v.page.goto(`${h.url}/livechat/${key}/widget`);
    const tab = v.page.locator('[data-lc-tab="callback"]');
    const send = v.page.locator('form.lc-callback button[type=submit]');
    await tab.click();
    await v.page.getByLabel('Phone number').fill('600 100 200');
    await v.page.getByLabel('I agree to be called back at this number.').check();
    await send.click();
    await v.page.getByText('Thank you. We will call you at +48600100200.').waitFor();
    // The address's second request today is past the company's threshold (1).
    await tab.click();
    await v.page.getByLabel('Phone number').fill('600 100 201');
    await v.page.getByLabel('Name').fill('Ewa Nowak');
    await v.page.getByLabel('I agree to be called back at this number.').check();
    await send.click();
    await v.page.getByText('Many requests were sent from your address today').waitFor();
    expect(await v.page.getByLabel('Name').inputValue()).toBe('Ewa Nowak');
    expect(await v.page.getByLabel('Phone number').inputValue()).toBe('600 100 201');
    await v.page.locator('altcha-widget').waitFor();
    await v.page.getByText('Thank you. We will call you at +48600100201.').waitFor({ timeout: 60_000 });
    const rows = await h.app
      .em()
      .getConnection()
      .execute<{ name: string }[]>(`select name from callback_request where company_id = ? and phone = '+48600100201'`, [company.id]);
    expect(rows.map((r) => r.name)).toEqual(['Ewa Nowak']);
    expect(v.errors.filter((e) => /Content Security Policy|Refused/.test(e))).toEqual([]);
  });
});
