import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { DEMO_PASSWORD, seedDemo } from '../../scripts/demo/demo-seed';
import { chatReady } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, Harness, openHarness, RESULTS_DIR } from './harness';

const DESKTOP = { width: 1366, height: 860 };
const PHONE = { width: 390, height: 844 };

describeBrowser('the demo as a new user sees it, the CRM filter row and a task’s way back to its message', () => {
  let h: Harness;
  let anna: BrowserUser;
  const shots: string[] = [];

  async function shot(page: Page, name: string): Promise<void> {
    await mkdir(RESULTS_DIR, { recursive: true });
    const path = join(RESULTS_DIR, `demo-${name}.png`);
    await page.screenshot({ path });
    shots.push(path);
  }

  async function signIn(email: string, locale: string): Promise<BrowserUser> {
    const person = await h.newUser({ label: email.split('@')[0], locale });
    await person.page.setViewportSize(DESKTOP);
    await person.page.goto('/login');
    await person.page.locator('input[name="email"]').fill(email);
    await person.page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await person.page.locator('input[name="password"]').press('Enter');
    await person.page.waitForURL((url) => url.pathname === '/');
    await chatReady(person.page);
    return person;
  }

  beforeAll(async () => {
    h = await openHarness();
    await seedDemo(h.app.app, { baseUrl: h.url });
    anna = await signIn('anna@demo.gwar.test', 'pl-PL');
  }, 120_000);
  afterAll(async () => {
    if (shots.length) console.log(`Screenshots:\n${shots.map((s) => `  ${s}`).join('\n')}`);
    await h?.close();
  });

  browserTest('Anna’s first look: conversations with unread badges, a conversation with pictures, links and receipts', async () => {
    const { page } = anna;
    await expect(page.locator('#chat-panel .entry', { hasText: 'Sprzedaż' }).locator('.badge').getAttribute('data-count')).resolves.toBe('3');
    await shot(page, 'home-pl');
    await page.locator('#chat-panel .entry a[title="Sprzedaż"]').click();
    const win = page.locator('section.chat-window', { has: page.getByRole('heading', { name: 'Sprzedaż' }) });
    await win.waitFor();
    await win.locator('.attachment-image img').first().waitFor();
    await expect(
      win
        .locator('.attachment-image img')
        .first()
        .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    ).resolves.toBe(true);
    await expect(win.locator('.object-link', { hasText: 'Oddzwonić do ACME' }).first().innerText()).resolves.toContain('„Oddzwonić do ACME w sprawie rabatu”');
    await shot(page, 'conversation-pl');
    // Closed again, so that the pages after it are seen whole (the window is remembered across pages).
    const saved = page.waitForResponse((res) => res.url().endsWith('/chat/settings') && res.request().method() === 'POST');
    await win.locator('button[data-action="close"]').click();
    await win.waitFor({ state: 'detached' });
    await saved;
  });

  browserTest('the CRM list’s filters sit in one labelled row on a desktop and wrap on a phone without sideways scrolling', async () => {
    const { page } = anna;
    await page.goto('/crm/tasks');
    // Measured once the chat has started and laid out its windows, which can narrow the page.
    await chatReady(page);
    for (const close of await page.locator('section.chat-window button[data-action="close"]:visible').all()) await close.click();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const boxes = await page
      .locator('.crm-filters > *')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom })));
    expect(boxes).toHaveLength(5); // search, status, assignee, company, the button
    const bottoms = boxes.map((b) => Math.round(b.bottom));
    expect(Math.max(...bottoms) - Math.min(...bottoms)).toBeLessThanOrEqual(4);
    const tableTop = await page.locator('table.list').evaluate((t) => t.getBoundingClientRect().top);
    expect(tableTop).toBeLessThan(400);
    await shot(page, 'crm-tasks-pl');

    // By keyboard alone: type, Tab past the three filters to the button, Enter.
    await page.locator('#crm-q').focus();
    await page.keyboard.type('ACME');
    for (const id of ['filter-status', 'filter-assignee', 'filter-crmCompany']) {
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe(id);
    }
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=ACME/);
    await expect(page.locator('#crm-rows tr').count()).resolves.toBe(2);
    await page.getByRole('link', { name: 'Wyczyść filtry' }).waitFor();

    await page.setViewportSize(PHONE);
    await page.goto('/crm/tasks');
    const scroll = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(scroll.width).toBeLessThanOrEqual(scroll.client);
    const phone = await page
      .locator('.crm-filters > *')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ top: Math.round(r.top), width: r.width })));
    expect(new Set(phone.map((b) => b.top)).size).toBeGreaterThan(1);
    for (const b of phone.slice(0, 4)) expect(b.width).toBeGreaterThanOrEqual(140);
    await shot(page, 'crm-tasks-phone-pl');
    await page.setViewportSize(DESKTOP);
  });

  browserTest('a task made from a message opens its conversation at that message; a colleague outside it sees no way there', async () => {
    const { page } = anna;
    await page.goto('/crm/tasks');
    await page.locator('#crm-rows').getByRole('link', { name: 'Oddzwonić do ACME w sprawie rabatu', exact: true }).click();
    const back = page.getByRole('link', { name: 'Z wiadomości w grupie „Sprzedaż”' });
    await back.waitFor();
    await shot(page, 'crm-task-source-pl');
    await back.click();
    await page.waitForURL(/\/chat\/conversations\/\d+\?at=\d+#m-/);
    const target = page.locator('.msg:target');
    await target.waitFor();
    await expect(target.innerText()).resolves.toContain('Możemy zejść do 8%');
    await shot(page, 'conversation-at-source-pl');
    const box = await target.boundingBox();
    expect(box && box.y >= 0 && box.y + Math.min(box.height, 40) <= DESKTOP.height).toBe(true);

    const agnieszka = await signIn('agnieszka@demo.gwar.test', 'pl-PL');
    await agnieszka.page.goto(page.url().replace(/\/chat\/.*/, '/crm/tasks'));
    await agnieszka.page.locator('#crm-rows').getByRole('link', { name: 'Oddzwonić do ACME w sprawie rabatu', exact: true }).click();
    await agnieszka.page.getByRole('heading', { level: 1, name: 'Oddzwonić do ACME w sprawie rabatu' }).waitFor();
    await expect(agnieszka.page.locator('.crm-source').count()).resolves.toBe(0);
    await expect(agnieszka.page.locator('main').innerText()).resolves.not.toContain('Z wiadomości');
  });

  browserTest('axe finds nothing serious on the CRM lists in Polish and English, filtered or not', async () => {
    const alice = await signIn('alice@demo-ltd.gwar.test', 'en-GB');
    for (const [user, path] of [
      [anna, '/crm/tasks'],
      [anna, '/crm/opportunities?stage=proposal&q=CRM'],
      [alice, '/crm/tasks'],
      [alice, '/crm/notes?q=x'],
    ] as const) {
      await user.page.goto(path);
      await user.page.locator('.crm-filters').waitFor();
      await expectAccessible(user.page);
    }
    await alice.page.goto('/');
    await chatReady(alice.page);
    await shot(alice.page, 'home-en');
    await alice.page.locator('#chat-panel .entry a[title="Sales"]').click();
    const win = alice.page.locator('section.chat-window', { has: alice.page.getByRole('heading', { name: 'Sales' }) });
    await win.locator('.attachment-image img').first().waitFor();
    await expect(win.locator('.object-link').first().innerText()).resolves.toMatch(/“.+”/);
    await shot(alice.page, 'conversation-en');
    const saved = alice.page.waitForResponse((res) => res.url().endsWith('/chat/settings') && res.request().method() === 'POST');
    await win.locator('button[data-action="close"]').click();
    await saved;
    await alice.page.goto('/crm/tasks');
    await shot(alice.page, 'crm-tasks-en');
  });
});
