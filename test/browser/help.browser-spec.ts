import { User } from '../../src/accounts/user.entity';
import type { Company } from '../../src/accounts/company.entity';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { chatReady, sendMessage, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, Harness, openHarness } from './harness';

describeBrowser('Help chat between a company’s user and the operator’s support team, in two browsers', () => {
  let h: Harness;
  let customerCompany: Company;
  let carol: User;
  let sam: User;
  let olga: User;
  let c: BrowserUser;
  let s: BrowserUser;

  beforeAll(async () => {
    h = await openHarness();
    const operator = await createCompany(h.app.em(), { name: 'Operator', operator: true, plan: 'supreme' });
    olga = await createUser(h.app.em(), operator, { name: 'Olga Operator', role: 'admin' });
    sam = await createUser(h.app.em(), operator, { name: 'Sam Support' });
    await h.app.em().getConnection().execute(`update app_user set support_agent = true where id = ?`, [sam.id]);
    customerCompany = await createCompany(h.app.em(), { name: 'Customer Co', plan: 'enterprise' });
    carol = await createUser(h.app.em(), customerCompany, { name: 'Carol Customer' });
    c = await signInToChat(h, carol, 'carol');
    s = await signInToChat(h, sam, 'sam');
  });
  afterAll(() => h?.close());

  browserTest('a user asks for help, a support agent sees it live and answers, and the answer reaches the user’s window', async () => {
    await s.page.getByRole('link', { name: 'Support', exact: true }).click();
    await s.page.getByRole('heading', { level: 1, name: 'Help conversations' }).waitFor();
    await chatReady(s.page);
    await expectAccessible(s.page);

    await c.page.locator('.help-entry a').click();
    const win = c.page.locator('section.chat-window', { has: c.page.getByRole('heading', { name: 'Help — support team' }) });
    await win.waitFor();
    await sendMessage(win, 'My invoice is missing');
    await s.page.locator('#help-tickets tr', { hasText: 'My invoice is missing' }).waitFor({ timeout: 3000 });

    await s.page.getByRole('link', { name: 'Carol Customer' }).click();
    await s.page.getByRole('heading', { level: 1, name: 'Help: Carol Customer (Customer Co)' }).waitFor();
    await chatReady(s.page);
    await expectAccessible(s.page);
    await s.page.getByRole('button', { name: 'I am answering' }).click();
    await s.page.locator('.help-status', { hasText: 'Sam Support is answering' }).waitFor();
    await s.page.getByLabel('Your answer').fill('It is under CRM → Companies.');
    await s.page.getByRole('button', { name: 'Send', exact: true }).click();
    const answer = win.locator('li.msg', { hasText: 'It is under CRM → Companies.' });
    await answer.waitFor({ timeout: 3000 });
    await expect(answer.locator('.support-badge').textContent()).resolves.toBe('Support');
    await expect(answer.locator('.msg-author').textContent()).resolves.toContain('Sam Support');
    // The agent's page shows both sides, live.
    await s.page.locator('#help-log-' + (await win.getAttribute('data-conversation-id')) + ' li', { hasText: 'It is under CRM → Companies.' }).waitFor();

    await sendMessage(win, 'Found it, thanks!');
    await s.page.locator('ol.messages li', { hasText: 'Found it, thanks!' }).waitFor({ timeout: 3000 });
  });

  browserTest('a downgrade to Professional takes the Help entry off the user’s open page without a reload', async () => {
    await c.page.locator('.help-entry a').waitFor();
    const operatorAdmin = await signedIn(h.url, olga.email);
    await operatorAdmin.load(`/operator/companies/${customerCompany.id}`);
    const res = await operatorAdmin.post(`/operator/companies/${customerCompany.id}`, { companyName: 'Customer Co', plan: 'professional', apiAddon: 'on' });
    expect(res.status).toBe(303);
    await c.page.locator('.help-entry a').waitFor({ state: 'detached', timeout: 3000 });
    await operatorAdmin.load(`/operator/companies/${customerCompany.id}`);
    await operatorAdmin.post(`/operator/companies/${customerCompany.id}`, { companyName: 'Customer Co', plan: 'enterprise', apiAddon: 'on' });
    await c.page.locator('.help-entry a').waitFor({ timeout: 3000 });
  });
});
