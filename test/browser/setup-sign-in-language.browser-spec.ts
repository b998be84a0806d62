import { Page } from 'playwright-core';
import { Company } from '../../src/accounts/company.entity';
import { createCompany, createUser } from '../support/factories';
import { browserTest, describeBrowser, expectAccessible, expectNoPageErrors, Harness, htmxReady, openHarness } from './harness';

const ADMIN = { company: 'Acme Ltd', name: 'Alice Example', email: 'alice@example.com', password: 'correct horse battery' };

async function heading(page: Page, name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

async function htmlLang(page: Page): Promise<string | null> {
  return page.locator('html').getAttribute('lang');
}

describeBrowser('first start, sign-in and language in a browser', () => {
  let h: Harness;
  beforeAll(async () => (h = await openHarness()));
  afterAll(() => h?.close());

  browserTest('sets up the organization, signs out and in, and switches to Polish for good', async () => {
    const alice = await h.newUser({ label: 'alice', locale: 'en-US' });
    const { page } = alice;

    // A fresh installation sends the visitor to the setup page.
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/setup');
    await heading(page, 'Set up Gwar');
    expect(await htmlLang(page)).toBe('en');
    await expectAccessible(page);

    await htmxReady(page);
    await page.getByLabel('Organization name', { exact: true }).fill(ADMIN.company);
    await page.getByLabel('Full name', { exact: true }).fill(ADMIN.name);
    await page.getByLabel('E-mail', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    const setupRequest = page.waitForRequest((req) => req.method() === 'POST' && new URL(req.url()).pathname === '/setup');
    await page.getByRole('button', { name: 'Create and sign in' }).click();
    expect((await setupRequest).headers()['hx-request']).toBe('true');

    // htmx follows HX-Redirect to the home page, signed in.
    await heading(page, `Welcome, ${ADMIN.name}`);
    expect(new URL(page.url()).pathname).toBe('/');
    await expectAccessible(page);

    // Sign out: back to the sign-in page.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading(page, 'Sign in');
    expect(new URL(page.url()).pathname).toBe('/login');
    await expectAccessible(page);

    // A wrong password: the message, and the e-mail still typed.
    await htmxReady(page);
    await page.getByLabel('E-mail', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    const failed = page.waitForResponse((res) => res.request().method() === 'POST' && new URL(res.url()).pathname === '/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const failedResponse = await failed;
    expect(failedResponse.status()).toBe(401);
    expect(failedResponse.request().headers()['hx-request']).toBe('true');
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.getByLabel('E-mail', { exact: true }).inputValue()).toBe(ADMIN.email);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await expectAccessible(page);

    // The right password, in the swapped-in form.
    await htmxReady(page);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading(page, `Welcome, ${ADMIN.name}`);
    expect(await page.getByRole('button', { name: 'Polski' }).getAttribute('aria-pressed')).toBe('false');

    // Polski: the page turns Polish.
    await page.getByRole('button', { name: 'Polski' }).click();
    await heading(page, `Witaj, ${ADMIN.name}`);
    expect(await htmlLang(page)).toBe('pl');
    expect(await page.getByRole('button', { name: 'Polski' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('false');
    await expectAccessible(page);

    // A reload keeps Polish, even without the language cookie: it is saved on the user.
    await alice.context.clearCookies({ name: 'gwar_lang' });
    await page.reload();
    await heading(page, `Witaj, ${ADMIN.name}`);
    expect(await htmlLang(page)).toBe('pl');

    // The same user in another, English browser gets Polish once signed in.
    const laptop = await h.newUser({ label: 'alice-laptop', locale: 'en-US' });
    await laptop.page.goto('/login');
    await heading(laptop.page, 'Sign in');
    await htmxReady(laptop.page);
    await laptop.page.getByLabel('E-mail', { exact: true }).fill(ADMIN.email);
    await laptop.page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await laptop.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading(laptop.page, `Witaj, ${ADMIN.name}`);
    expect(await htmlLang(laptop.page)).toBe('pl');

    expectNoPageErrors(alice);
    expectNoPageErrors(laptop);
    await laptop.context.close();
    await alice.context.close();
  });

  browserTest('shows the sign-in page in Polish to a browser set to Polish', async () => {
    // Independent of the test above: make sure setup is done, so /login does not send us to /setup.
    const em = h.app.em();
    if ((await em.count(Company, { isOperator: true })) === 0) {
      const company = await createCompany(em, { operator: true });
      await createUser(em, company, { role: 'admin' });
    }

    const visitor = await h.newUser({ label: 'polish-visitor', locale: 'pl-PL' });
    await visitor.page.goto('/login');
    await heading(visitor.page, 'Zaloguj się');
    expect(await htmlLang(visitor.page)).toBe('pl');
    expect(await visitor.page.getByRole('button', { name: 'Polski' }).getAttribute('aria-pressed')).toBe('true');
    await expectAccessible(visitor.page);
    expectNoPageErrors(visitor);
    await visitor.context.close();
  });
});
