import type { Company } from '../../src/accounts/company.entity';
import type { User } from '../../src/accounts/user.entity';
import { createCompany, createUser } from '../support/factories';
import { chatReady, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, Harness, openHarness } from './harness';
import { chooseStatus, website, Website } from './website';

describeBrowser('Callback: a visitor leaves a number, two consultants see it live, one calls', () => {
  let h: Harness;
  let company: Company;
  let anna: User;
  let ben: User;
  let site: Website;
  let key: string;

  beforeAll(async () => {
    h = await openHarness({ CALLBACK_SWEEP_MS: '200' });
    await createCompany(h.app.em(), { name: 'Operator', operator: true, plan: 'supreme' });
    company = await createCompany(h.app.em(), { name: 'Acme', plan: 'professional', apiAddon: true });
    anna = await createUser(h.app.em(), company, { name: 'Anna Caller' });
    ben = await createUser(h.app.em(), company, { name: 'Ben Caller' });
    await h.app.em().getConnection().execute(`update app_user set callback_configured = true where company_id = ?`, [company.id]);
    key = `k${Date.now()}abcdefghijklmnop`;
    site = await website(`<script async src="${h.url}/livechat/${key}/loader.js"></script>`);
    await h.app
      .em()
      .getConnection()
      .execute(`insert into livechat_settings (company_id, public_key, enabled, title, origins) values (?, ?, true, 'Talk to Acme', ?::text[])`, [
        company.id,
        key,
        `{http://localhost:${site.port}}`,
      ]);
    // Retries shortened for the test: "not answered" comes back after 2 s.
    await h.app
      .em()
      .getConnection()
      .execute(
        `insert into callback_settings (company_id, enabled, default_country, retry_seconds, work_days, work_start, work_end) values (?, true, 'PL', 2, '{1,2,3,4,5,6,7}', '00:00', '23:59')`,
        [company.id],
      );
  });
  afterAll(async () => {
    site?.server.close();
    await h?.close();
  });

  async function onDuty(person: BrowserUser): Promise<void> {
    await chooseStatus(person.page, 'callback');
    await person.page.locator('#callback-section', { hasText: 'Nobody is waiting for a call.' }).waitFor();
  }

  browserTest('the card comes live to both, one claims it, the other sees who, and “not answered” brings it back after the delay', async () => {
    const a = await signInToChat(h, anna, 'anna');
    const b = await signInToChat(h, ben, 'ben');
    await onDuty(a);
    await onDuty(b);

    const v = await h.newUser({ label: 'visitor' });
    await v.page.goto(`http://localhost:${site.port}/`);
    await v.page.getByRole('button', { name: 'Talk to Acme' }).click();
    const widget = v.page.frameLocator('iframe[title="Talk to Acme"]');
    await widget.getByRole('button', { name: 'Call me back' }).first().click();
    // A bad number first: refused with why, the typed text kept.
    await widget.getByLabel('Phone number').fill('12');
    await widget.getByLabel('What is it about?').fill('Delivery to Gdańsk');
    await widget.getByLabel('I agree to be called back at this number.').check();
    await widget.locator('form.lc-callback button[type=submit]').click();
    await widget.getByText('The number is too short.').waitFor();
    expect(await widget.getByLabel('What is it about?').inputValue()).toBe('Delivery to Gdańsk');
    await widget.getByLabel('Phone number').fill('600 100 200');
    await widget.getByLabel('I agree to be called back at this number.').check();
    await widget.locator('form.lc-callback button[type=submit]').click();
    await widget.getByText('We will call you at +48600100200').waitFor();

    const cardA = a.page.locator('#callback-section .cb-card', { hasText: '+48600100200' });
    const cardB = b.page.locator('#callback-section .cb-card', { hasText: '+48600100200' });
    await cardA.waitFor();
    await cardB.waitFor();
    expect(await cardA.locator('a.cb-phone').getAttribute('href')).toBe('tel:+48600100200');
    // Where it came from: the widget, on the website's page.
    expect(await cardA.locator('.cb-facts').textContent()).toMatch(new RegExp(`Website widget\\s+http://localhost:${site.port}/`));
    await expectAccessible(a.page);

    await cardA.getByRole('button', { name: 'I am calling' }).click();
    await cardA.getByText('You are calling').waitFor();
    await cardB.getByText('Anna Caller is calling').waitFor();
    expect(await cardB.getByRole('button', { name: 'I am calling' }).count()).toBe(0);
    await expectAccessible(a.page);

    await cardA.getByLabel('Not answered').check();
    await cardA.getByRole('button', { name: 'Save the outcome' }).click();
    await cardB.getByText(/Back in the queue at/).waitFor();
    // After the delay it is back, claimable, with its attempt count.
    await cardB.getByRole('button', { name: 'I am calling' }).waitFor({ timeout: 10_000 });
    await cardA.getByRole('button', { name: 'I am calling' }).waitFor({ timeout: 10_000 });
    expect(await cardB.locator('.cb-facts').textContent()).toMatch(/Attempts\s*1/);

    await a.page.goto('/callback/history');
    await a.page.getByRole('heading', { level: 1, name: 'Callback history' }).waitFor();
    await expectAccessible(a.page);
    await chatReady(a.page);
  });
});
