import { randomUUID } from 'node:crypto';
import { Locator, Page } from 'playwright-core';
import { User } from '../../src/accounts/user.entity';
import { MessageSending } from '../../src/chat/message-sending';
import { createCompany, createUser } from '../support/factories';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, expectNoPageErrors, Harness, htmxReady, openHarness } from './harness';
import { openFromPanel, signInToChat as signIn } from './chat-helpers';

/** Posts a message the way the composer does, from the user's own browser context (cookies and CSRF token). */
async function post(page: Page, conversationId: string, body: string, replyTo = ''): Promise<number> {
  const token = await page.evaluate(() => JSON.parse(document.body.getAttribute('hx-headers:inherited')!)['X-CSRF-Token'] as string);
  const res = await page.request.post(`/chat/conversations/${conversationId}/messages`, {
    headers: { 'X-CSRF-Token': token, 'HX-Request': 'true' },
    form: { clientId: randomUUID(), body, replyTo },
  });
  if (res.status() !== 201) throw new Error(`posting gave ${res.status()}`);
  return Number(/data-message-id="(\d+)"/.exec(await res.text())![1]);
}

describeBrowser('the composer when things go wrong, long histories, and the panel settings', () => {
  let h: Harness;
  let ann: User;
  let bob: User;
  let a: BrowserUser;
  let b: BrowserUser;
  let annWin: Locator;
  let conversationId: string;

  beforeAll(async () => {
    // Sixty messages in a few seconds for a long history: the limits have a browser test of their own.
    h = await openHarness({ RATE_LIMITS: 'false' });
    const em = h.app.em();
    await createCompany(em, { operator: true });
    const company = await createCompany(em, { name: 'Composer Ltd' });
    ann = await createUser(em, company, { name: 'Ann Composer' });
    bob = await createUser(em, company, { name: 'Bob Composer' });
    a = await signIn(h, ann, 'ann');
    b = await signIn(h, bob, 'bob');
    annWin = await openFromPanel(a.page, `u${bob.id}`, bob.name);
    conversationId = (await annWin.getAttribute('data-conversation-id'))!;
  });
  afterAll(() => h?.close());

  browserTest('keeps a message that could not be sent, marked "Not sent", and retries it with the same client id', async () => {
    const box = annWin.getByLabel('Message', { exact: true });
    const firstClientId = await annWin.locator('input[name="clientId"]').inputValue();
    // The server fails every send for a while (its database is down, say): the page tries a few times, then says so.
    const sending = h.app.app.get(MessageSending);
    const send = sending.send.bind(sending);
    sending.send = () => Promise.reject(new Error('the database is away (a test)'));
    await box.fill('Through the storm');
    await box.press('Enter');
    const failed = annWin.locator(`#m-${firstClientId}.failed`);
    await failed.getByText('Not sent').waitFor({ timeout: 20_000 });
    // The composer is ready for the next message, with a fresh client id.
    expect(await box.inputValue()).toBe('');
    expect(await annWin.locator('input[name="clientId"]').inputValue()).not.toBe(firstClientId);

    sending.send = send;
    await failed.getByRole('button', { name: 'Retry' }).click();
    // The element's id is the client id: the message stored on retry is the one that failed.
    await annWin.locator(`#m-${firstClientId}[data-message-id]:not(.pending)`).waitFor();
    await b.page.locator(`#unread-u${ann.id}:not(.empty)`).waitFor();
    expect(await annWin.locator('li.msg', { hasText: 'Through the storm' }).count()).toBe(1);
  });

  browserTest('shows why a message was refused and keeps its text', async () => {
    const box = annWin.getByLabel('Message', { exact: true });
    const long = 'x'.repeat(10_001);
    await box.fill(long);
    await box.press('Enter');
    await a.page.locator(`#composer-error-${conversationId}`, { hasText: 'A message can have at most 10,000 characters.' }).waitFor();
    expect(await box.inputValue()).toBe(long);
    expect(await annWin.locator('li.msg.pending').count()).toBe(0);
    await box.fill('Shorter then');
    await box.press('Enter');
    await annWin.locator('li.msg.mine[data-message-id]', { hasText: 'Shorter then' }).waitFor();
    expect(await a.page.locator(`#composer-error-${conversationId}`).innerText()).toBe('');
  });

  browserTest('loads older messages on the way up, and a quote of an old message leads to it', async () => {
    const first = await post(a.page, conversationId, 'The very first words');
    for (let i = 1; i <= 60; i++) await post(a.page, conversationId, `Filler ${i}`);
    await post(a.page, conversationId, 'About those first words', String(first));

    const bobWin = await openFromPanel(b.page, `u${ann.id}`, ann.name);
    const list = bobWin.locator('ol.messages');
    await bobWin.locator('li.msg', { hasText: 'About those first words' }).waitFor();
    await bobWin.locator('li.older').waitFor();
    const original = bobWin.locator('li.msg').filter({ has: b.page.locator('.msg-body', { hasText: 'The very first words' }) });
    expect(await original.count()).toBe(0);
    // Opened at the first unread message, below the green line.
    expect(await bobWin.locator('li.new-divider').count()).toBe(1);

    await bobWin.locator('.msg-quote', { hasText: 'The very first words' }).click();
    await original.waitFor();
    expect(await original.getAttribute('class')).toContain('highlight');
    expect(await bobWin.locator('li.older').count()).toBe(0);
    expect(await bobWin.locator('li.msg[data-message-id]').count()).toBeGreaterThanOrEqual(63);
    // Everything read once scrolled to the bottom.
    await list.evaluate((ol) => (ol.scrollTop = ol.scrollHeight));
    await b.page.locator('#unread-total.empty').waitFor({ state: 'attached' });
    // Times are shown in the browser's own time zone.
    const time = await original
      .locator('time')
      .evaluate((t: HTMLTimeElement) => [t.textContent, new Date(t.dateTime).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })]);
    expect(time[0]).toBe(time[1]);
    await bobWin.getByRole('button', { name: 'Close' }).click();
  });

  browserTest('opens chats in the main panel and splits chat and notifications into tabs, as chosen in the gear', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Chat settings' }).click();
    await page.getByRole('menuitem', { name: 'Open chat in the main panel' }).click();
    await page.locator('#chat-panel[data-open-in="main"]').waitFor({ state: 'attached' });
    await htmxReady(page);
    await page.locator(`#entry-u${ann.id} a`).click();
    const inMain = page.locator('#main section.chat-window.in-main');
    await inMain.waitFor();
    // Opened in the main panel, the conversation takes the focus, as a window does.
    await page.waitForFunction(() => !!document.activeElement?.matches('#main section.chat-window textarea[name="body"]'));
    await inMain.locator('li.msg', { hasText: 'About those first words' }).waitFor();
    await post(a.page, conversationId, 'Seen in the main panel');
    await inMain.locator('li.msg.theirs', { hasText: 'Seen in the main panel' }).waitFor();
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Chat settings' }).click();
    await page.getByRole('menuitem', { name: 'Show chat and notifications in separate tabs' }).click();
    const notificationsTab = page.getByRole('tab', { name: 'Notifications' });
    await notificationsTab.waitFor();
    expect(await page.locator('#panel-notifications').isHidden()).toBe(true);
    await notificationsTab.click();
    expect(await page.locator('#panel-notifications').isVisible()).toBe(true);
    expect(await page.locator('#panel-chat').isHidden()).toBe(true);
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('tab', { name: 'Chat' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#panel-chat').isVisible()).toBe(true);
    await expectAccessible(page);

    // The two squares of a conversation in the main panel make it a small window, its message box focused.
    await inMain.getByRole('button', { name: 'Small window' }).click();
    const small = page.locator('#chat-windows section.chat-window.small', { has: page.getByRole('heading', { name: ann.name }) });
    await small.waitFor();
    expect(await page.locator('#main section.chat-window').count()).toBe(0);
    await page.waitForFunction(() => !!document.activeElement?.matches('#chat-windows section.chat-window.small textarea[name="body"]'));
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  });
});
