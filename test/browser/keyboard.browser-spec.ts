import { Page } from 'playwright-core';
import { User } from '../../src/accounts/user.entity';
import { createGroup, directConversation, send } from '../support/chat';
import { createCompany, createUser, PASSWORD } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { chatReady, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectNoPageErrors, Harness, htmxReady, openHarness } from './harness';

/** What has the focus, as a CSS-ish description; never "body" after an action. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return 'body';
    return `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.getAttribute('role') ? `[role=${e.getAttribute('role')}]` : ''} ${(e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 40)}`;
  });

const focusMatches = (page: Page, selector: string) => page.evaluate((s) => !!document.activeElement?.matches(s), selector);

/** Presses Tab (or Shift+Tab) until the focus is on an element matching the selector, as a keyboard user would. */
async function tabTo(page: Page, selector: string, options: { back?: boolean; max?: number } = {}): Promise<void> {
  for (let i = 0; i < (options.max ?? 80); i++) {
    if (await focusMatches(page, selector)) return;
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${selector}; the focus is on ${await focused(page)}`);
}

/** Arrow keys down a menu until the focused item has this name. */
async function arrowTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 15; i++) {
    if ((await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '')).endsWith(name)) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no menu item "${name}"; the focus is on ${await focused(page)}`);
}

async function expectFocus(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((s) => !!document.activeElement?.matches(s), selector, { timeout: 5000 }).catch(async () => {
    throw new Error(`expected the focus on ${selector}, it is on ${await focused(page)}`);
  });
}

const announced = (page: Page) => page.locator('#chat-announcer p').allInnerTexts();

describeBrowser('the chat by keyboard alone, and what a screen reader is told', () => {
  let h: Harness;
  let kim: User;
  let lee: User;
  let leeApi: Client;
  let kimApi: Client;
  let l: BrowserUser;

  beforeAll(async () => {
    h = await openHarness();
    const em = h.app.em();
    await createCompany(em, { operator: true });
    const company = await createCompany(em, { name: 'Keys Ltd' });
    kim = await createUser(em, company, { name: 'Kim Keys' });
    lee = await createUser(em, company, { name: 'Lee Listener' });
    kimApi = await signedIn(h.url, kim.email);
    leeApi = await signedIn(h.url, lee.email);
    await send(leeApi, await directConversation(leeApi, kim.id), 'Hi Kim, anything new?');
    l = await signInToChat(h, lee, 'lee');
  });
  afterAll(() => h?.close());

  browserTest(
    'signs in, opens a colleague, sends, replies, edits, deletes, changes status and settings, and closes, the focus never on <body>',
    async () => {
      const k = await h.newUser({ label: 'kim' });
      const { page } = k;
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto('/login');
      await htmxReady(page);
      // 1. Sign in.
      await tabTo(page, '#f-email');
      await page.keyboard.type(kim.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: `Welcome, ${kim.name}` }).waitFor();
      await chatReady(page);

      // 2. Open a colleague: the focus goes to the message box.
      await tabTo(page, `#entry-u${lee.id} a`);
      await page.keyboard.press('Enter');
      const win = page.locator('section.chat-window', { has: page.getByRole('heading', { name: lee.name }) });
      await win.waitFor();
      const winId = await win.getAttribute('id');
      await expectFocus(page, `#${winId} textarea[name="body"]`);

      // 3. Send: the focus stays in the message box, and the message is read out once, with its author.
      await page.keyboard.type('Hello by keyboard');
      await page.keyboard.press('Enter');
      const mine = win.locator('li.msg.mine[data-message-id]', { hasText: 'Hello by keyboard' });
      await mine.waitFor();
      await expectFocus(page, `#${winId} textarea[name="body"]`);
      await page.waitForTimeout(500);
      expect((await announced(page)).filter((line) => line.includes('Hello by keyboard'))).toEqual([`${kim.name}: Hello by keyboard`]);

      // 4. Reply to Lee's message from its reply arrow: back to the message box, the reply announced.
      await tabTo(page, `#${winId} li.msg.theirs [data-action="reply"]`, { back: true });
      await page.keyboard.press('Enter');
      await expectFocus(page, `#${winId} textarea[name="body"]`);
      expect((await announced(page)).at(-1)).toBe(`Replying to ${lee.name}: Hi Kim, anything new?`);
      await page.keyboard.type('Nothing yet');
      await page.keyboard.press('Enter');
      const reply = win.locator('li.msg.mine[data-message-id]', { hasText: 'Nothing yet' });
      await reply.locator('.msg-quote').waitFor();

      // 5. Edit one's own message: Enter on its text, Enter to save; the focus is back on the text.
      const mineId = await mine.getAttribute('id');
      await tabTo(page, `#${mineId} .msg-body`, { back: true });
      await page.keyboard.press('Enter');
      await expectFocus(page, `#${mineId} textarea.edit-box`);
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('Hello, edited');
      await page.keyboard.press('Enter');
      await win.locator(`#${mineId} .edited`).waitFor();
      await expectFocus(page, `#${mineId} .msg-body`);

      // 6. Delete it from its menu (arrow keys): the focus goes on to the next message.
      await tabTo(page, `#${mineId} [data-action="menu"]`);
      await page.keyboard.press('Enter');
      await expectFocus(page, '#chat-menu [role="menuitem"]');
      await arrowTo(page, 'Delete');
      await page.keyboard.press('Enter');
      await win.locator(`#${mineId}.deleted`).waitFor();
      await expectFocus(page, `#${await reply.getAttribute('id')}`);

      // 7. The emoji picker closes when Tab leaves it; the "read by" tooltip goes with Esc.
      await tabTo(page, `#${winId} [data-action="emoji"]`);
      await page.keyboard.press('Enter');
      await expectFocus(page, `#${winId} .emoji-picker .emoji`);
      await page.keyboard.press('Tab');
      await win.locator('.emoji-picker').waitFor({ state: 'hidden' });
      const tick = reply.locator('.receipt');
      await tabTo(page, `#${await reply.getAttribute('id')} .receipt`, { back: true });
      await tick.locator('.readers').waitFor({ state: 'visible' });
      await page.keyboard.press('Escape');
      await tick.locator('.readers').waitFor({ state: 'hidden' });

      // 8. Change status from the dot's menu: it closes, the focus back on the dot when the panel is redrawn.
      await tabTo(page, '#status-picker-button');
      await page.keyboard.press('Enter');
      await expectFocus(page, '#status-picker [role="menuitemradio"]');
      await arrowTo(page, 'Busy');
      await page.keyboard.press('Enter');
      await page.locator('#status-picker-button[aria-label$="Busy"]').waitFor();
      await expectFocus(page, '#status-picker-button');
      expect(await page.locator('#status-picker').getAttribute('open')).toBeNull();
      // Picking the current status again closes the list too.
      await page.keyboard.press('Enter');
      await expectFocus(page, '#status-picker [role="menuitemradio"]');
      await arrowTo(page, 'Busy');
      await page.keyboard.press('Enter');
      await expectFocus(page, '#status-picker-button');
      expect(await page.locator('#status-picker').getAttribute('open')).toBeNull();

      // 9. A chat setting from the gear (End goes to the last item), and Esc in the Add group dialog: back on the gear.
      await tabTo(page, '#panel-gear-button');
      await page.keyboard.press('Enter');
      await expectFocus(page, '.panel-gear [role^="menuitem"]');
      await page.keyboard.press('End');
      expect((await focused(page)).endsWith('Disable sound notifications')).toBe(true);
      await page.keyboard.press('Enter');
      await page.locator('#chat-panel[data-sound="off"]').waitFor({ state: 'attached' });
      await expectFocus(page, '#panel-gear-button');
      await page.keyboard.press('Enter');
      await expectFocus(page, '.panel-gear [role^="menuitem"]');
      await page.keyboard.press('Home');
      await page.keyboard.press('Enter');
      await page.locator('#chat-dialog[open] form.group-form').waitFor();
      await page.keyboard.press('Escape');
      await expectFocus(page, '#panel-gear-button');

      // 10. Close the window: the focus goes back to the colleague in the panel.
      await tabTo(page, `#${winId} [data-action="close"]`);
      await page.keyboard.press('Enter');
      await win.waitFor({ state: 'detached' });
      await expectFocus(page, `#entry-u${lee.id} a`);

      // 11. Collapse the panel: the focus stays on its button.
      await tabTo(page, '#panel-toggle', { back: true });
      await page.keyboard.press('Enter');
      await page.locator('#chat-panel.collapsed').waitFor();
      await expectFocus(page, '#panel-toggle');
      await page.keyboard.press('Enter');
      await page.locator('#chat-panel:not(.collapsed)').waitFor();
      expectNoPageErrors(k);
    },
    90_000,
  );

  browserTest('a message in a conversation that is not open is announced once, with its author and conversation', async () => {
    const { page } = l;
    await page.reload();
    await chatReady(page);
    const groupId = await createGroup(leeApi, 'Night shift', [kim.id]);
    await page.locator(`#entry-c${groupId}`).waitFor();
    await send(kimApi, await directConversation(kimApi, lee.id), 'Are you there, Lee?');
    await send(kimApi, groupId, 'Shift starts at ten');
    await page.locator(`#unread-c${groupId}:not(.empty)`).waitFor();
    await page.waitForTimeout(1500);
    const lines = await announced(page);
    expect(lines.filter((line) => line === `New message from ${kim.name}`)).toHaveLength(1);
    expect(lines.filter((line) => line === `New message from ${kim.name} in Night shift`)).toHaveLength(1);
    expect(lines).toHaveLength(2);
  });

  browserTest('sorted by last activity, a conversation moves up live; a task assigned live replaces "No notifications."', async () => {
    const { page } = l;
    await page.locator('#panel-gear-button').click();
    await page.getByRole('menuitem', { name: 'Sort by last activity' }).click();
    await page.locator('#chat-panel[data-sort-by="activity"]').waitFor({ state: 'attached' });
    const entries = page.locator('#panel-entries > li');
    const groupId = await createGroup(leeApi, 'Zebra crossing', [kim.id]);
    await page.reload();
    await chatReady(page);
    expect(await entries.first().getAttribute('id')).toBe(`entry-c${groupId}`);
    await send(kimApi, await directConversation(kimApi, lee.id), 'Up you go');
    await page.locator(`#panel-entries > li:first-child#entry-u${kim.id}`).waitFor();

    await expect(page.locator('.no-notifications').isVisible()).resolves.toBe(true);
    await kimApi.load('/crm/tasks/new');
    expect((await kimApi.post('/crm/tasks', { name: 'Call the client', status: 'new', assignee: String(lee.id), currency: 'PLN' })).status).toBe(303);
    await page.locator('#notification-list li').waitFor();
    await page.locator('.no-notifications').waitFor({ state: 'hidden' });
    // The count sits on the bell beside the chat icon, outside the notifications' own tab.
    expect(await page.locator('.panel-bar .notifications-link #unread-notifications').innerText()).toContain('1');
  });
});
