import { User } from '../../src/accounts/user.entity';
import { directConversation, send } from '../support/chat';
import { createCompany, createUser, insertMessages, PASSWORD } from '../support/factories';
import { signedIn } from '../support/http-client';
import { signInToChat } from './chat-helpers';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { browserTest, describeBrowser, expectAccessible, expectNoPageErrors, Harness, htmxReady, openHarness, RESULTS_DIR } from './harness';

describeBrowser('the search box', () => {
  let h: Harness;
  let ann: User;
  let hit: { clientId: string; conversationId: number };
  let deep: { clientId: string; conversationId: number };

  beforeAll(async () => {
    h = await openHarness({ RATE_LIMITS: 'false' });
    const em = h.app.em();
    await createCompany(em, { operator: true });
    const acme = await createCompany(em, { name: 'Acme', plan: 'enterprise' });
    ann = await createUser(em, acme, { name: 'Ann Admin', role: 'admin' });
    const bob = await createUser(em, acme, { name: 'Bob Builder' });
    const annApi = await signedIn(h.url, ann.email);
    const conversationId = await directConversation(annApi, bob.id);
    const sent = await send(annApi, conversationId, 'Wysłałem wczoraj fakturę klientowi <b>Nordwind</b>');
    hit = { clientId: sent.clientId, conversationId };
    // Enough after it that the conversation's first page does not reach it.
    await insertMessages(em, { companyId: acme.id, conversationId, authorId: bob.id }, 80, { label: 'później', firstSeq: 10 });
    await insertMessages(em, { companyId: acme.id, conversationId, authorId: bob.id }, 25, { label: 'raport', firstSeq: 100 });
    // Further back than the server's jump limit (500): the page looks back for it, a page at a time.
    const cyril = await createUser(em, acme, { name: 'Cyril Clerk' });
    const deepId = await directConversation(annApi, cyril.id);
    const old = await send(annApi, deepId, 'Dawna reklamacja dostawy');
    deep = { clientId: old.clientId, conversationId: deepId };
    await insertMessages(em, { companyId: acme.id, conversationId: deepId, authorId: cyril.id }, 620, { label: 'dalej', firstSeq: 10 });
    // Messages written straight in: the conversations' change sequences must name them, or pages would catch up forever.
    await em
      .getConnection()
      .execute(`update conversation c set change_seq = (select max(seq) from message m where m.conversation_id = c.id) where c.company_id = ?`, [acme.id]);
  });
  afterAll(() => h?.close());

  browserTest(
    'opens a hit further back than the conversation opens at on the page around it, with the way back to the latest',
    async () => {
      const user = await signInToChat(h, ann, 'ann-deep');
      const { page } = user;
      await page.goto('/search?q=reklamacje');
      await htmxReady(page);
      await page.locator('#main .search-hit a', { hasText: 'reklamacja' }).click();
      await page.waitForURL(new RegExp(`/chat/conversations/${deep.conversationId}/around/\\d+#m-${deep.clientId}$`));
      const hit = page.locator(`#m-${deep.clientId}`);
      expect(await hit.isVisible()).toBe(true);
      expect(await hit.evaluate((el) => el.matches(':target'))).toBe(true);
      await expectAccessible(page);
      await page.getByRole('link', { name: 'Later messages' }).waitFor();
      await page.getByRole('link', { name: 'Go to the latest messages' }).click();
      await page.waitForURL(new RegExp(`/chat/conversations/${deep.conversationId}$`));
      expectNoPageErrors(user);
    },
    60_000,
  );

  browserTest('shows results as one types, reads out their count, and a hit opens the conversation at that message', async () => {
    const user = await signInToChat(h, ann, 'ann');
    const { page } = user;
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.click();
    await box.pressSequentially('faktury', { delay: 40 });
    const result = page.locator('#main .search-hit a', { hasText: 'Wysłałem' });
    await result.waitFor();
    expect(await result.locator('mark').allTextContents()).toEqual(['fakturę']);
    // The author's markup is text, never markup.
    expect(await page.locator('#main .search-hit b').count()).toBe(0);
    expect(await page.locator('#search-status').textContent()).toBe('Results: 1');
    expect(await page.title()).toBe('Search · Gwar');
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.waitForURL(/\/search\?q=faktury$/);
    await expectAccessible(page);
    await mkdir(RESULTS_DIR, { recursive: true });
    await page.setViewportSize({ width: 1366, height: 860 });
    await page.screenshot({ path: join(RESULTS_DIR, 'search-results-1366.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(RESULTS_DIR, 'search-results-390.png') });
    await page.setViewportSize({ width: 1366, height: 860 });

    // By keyboard: down from the box to the first hit, Enter opens it.
    await box.press('ArrowDown');
    expect(await result.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/chat/conversations/${hit.conversationId}\\?at=\\d+#m-${hit.clientId}$`));
    const message = page.locator(`#m-${hit.clientId}`);
    await message.waitFor();
    await page.waitForFunction(
      (id) => document.getElementById(id)?.classList.contains('search-target') && document.activeElement?.id === id,
      `m-${hit.clientId}`,
    );
    expect(await message.isVisible()).toBe(true);
    const inView = await message.evaluate((el) => {
      const list = el.closest('ol.messages')!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
    });
    expect(inView).toBe(true);
    await page.screenshot({ path: join(RESULTS_DIR, 'search-landed-1366.png') });
    expectNoPageErrors(user);
  });

  browserTest('pages further hits with the focus on the first new one, and passes axe in Polish', async () => {
    const user = await signInToChat(h, ann, 'ann-more');
    const { page } = user;
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.fill('raportach');
    await box.press('Enter');
    await page.locator('#main .search-hit').nth(19).waitFor();
    await page.getByRole('link', { name: 'More messages' }).click();
    await page.locator('#main .search-hit').nth(24).waitFor();
    expect(await page.evaluate(() => Array.from(document.querySelectorAll('#main .search-hit a')).indexOf(document.activeElement as Element))).toBe(20);

    await page.getByRole('button', { name: 'Polski' }).click();
    await page.locator('html[lang="pl"]').waitFor();
    await htmxReady(page);
    await expectAccessible(page);
    await page.goto('/search?q=' + encodeURIComponent('niczego takiego nie ma'));
    await htmxReady(page);
    expect(await page.locator('#main').textContent()).toContain('Nic nie znaleziono');
    await expectAccessible(page);
    await page.goto('/search');
    await expectAccessible(page);
    expectNoPageErrors(user);
  });

  browserTest('works as a plain form without JavaScript', async () => {
    const context = await h.browser.newContext({ baseURL: h.url, javaScriptEnabled: false, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('E-mail', { exact: true }).fill(ann.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/');
    // Ann may have chosen Polish in the test before.
    const box = page.getByRole('searchbox', { name: /^(Search|Szukaj)$/ });
    await box.fill('fakture');
    await box.press('Enter');
    await page.waitForURL(/\/search\?q=fakture$/);
    await page.locator('#main .search-hit mark', { hasText: 'fakturę' }).waitFor();
    await page.locator('#main .search-hit a').first().click();
    await page.locator(`#m-${hit.clientId}`).waitFor();
    await context.close();
  });
});
