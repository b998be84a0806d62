import { join } from 'node:path';
import { Locator, Page } from 'playwright-core';
import { User } from '../../src/accounts/user.entity';
import { createGroup, directConversation, send } from '../support/chat';
import { createCompany, createUser, PASSWORD } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { chatReady, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, expectNoPageErrors, Harness, htmxReady, openHarness, RESULTS_DIR } from './harness';

const DESKTOP = { width: 1366, height: 860 };
const PHONE = { width: 390, height: 844 };

/** A window by the title it shows (hidden ones too: a tab behind another, a window in the "+N" list). */
const windowOf = (page: Page, title: string) => page.locator('section.chat-window', { has: page.locator('.win-title', { hasText: title }) });

async function open(page: Page, entryKey: string, title: string): Promise<Locator> {
  await page.locator(`#entry-${entryKey} a`).click();
  const win = windowOf(page, title);
  await win.waitFor();
  return win;
}

type Box = { x: number; y: number; width: number; height: number };
async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not shown');
  return b;
}
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** What the user would click at the middle of an element: the element itself (or something inside it), not a window over it. */
async function clickable(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !!hit && (el === hit || el.contains(hit));
  });
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(RESULTS_DIR, name) });

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** Both tabs' desktop notifications, counted: the Notification API stubbed, the permission granted, the page hidden. */
async function stubNotifications(user: BrowserUser): Promise<void> {
  await user.context.addInitScript(() => {
    const w = window as unknown as { shown: { title: string; body: string; tag: string }[]; asked: number };
    w.shown = [];
    w.asked = 0;
    // The browser remembers the answer for the site: the first tab's grant holds for the second.
    const answer = () => localStorage.getItem('test:permission') ?? 'default';
    class FakeNotification {
      static get permission(): string {
        return answer();
      }
      static requestPermission = async () => {
        w.asked++;
        localStorage.setItem('test:permission', 'granted');
        return 'granted';
      };
      onclick: (() => void) | null = null;
      constructor(title: string, options: { body?: string; tag?: string } = {}) {
        w.shown.push({ title, body: options.body ?? '', tag: options.tag ?? '' });
        (window as unknown as { lastNotification: unknown }).lastNotification = this;
      }
      close(): void {}
    }
    (window as unknown as { Notification: unknown }).Notification = FakeNotification;
    Object.defineProperty(document, 'visibilityState', { get: () => (document.documentElement.dataset.testVisible ? 'visible' : 'hidden') });
    Object.defineProperty(document, 'hidden', { get: () => !document.documentElement.dataset.testVisible });
  });
}
const shown = (page: Page) => page.evaluate(() => (window as unknown as { shown: { title: string; body: string }[] }).shown);

describeBrowser('windows beside the work, phones, no JavaScript and desktop notifications', () => {
  let h: Harness;
  let ann: User;
  let bob: User;
  let cid: User;
  let dee: User;
  let a: BrowserUser;
  let bobApi: Client;
  let groupId: number;
  let bobChat: number;

  beforeAll(async () => {
    h = await openHarness();
    const em = h.app.em();
    await createCompany(em, { operator: true });
    const company = await createCompany(em, { name: 'Dock Ltd' });
    ann = await createUser(em, company, { name: 'Ann Dock' });
    bob = await createUser(em, company, { name: 'Bob Dock' });
    cid = await createUser(em, company, { name: 'Cid Dock' });
    dee = await createUser(em, company, { name: 'Dee Dock' });
    const annApi = await signedIn(h.url, ann.email);
    bobApi = await signedIn(h.url, bob.email);
    groupId = await createGroup(annApi, 'Harbour', [bob.id, cid.id]);
    bobChat = await directConversation(bobApi, ann.id);
    await send(bobApi, bobChat, 'Morning Ann, the offer is in the CRM');
    a = await signInToChat(h, ann, 'ann');
    await a.page.setViewportSize(DESKTOP);
  });
  afterAll(() => h?.close());

  browserTest('maximized chats are a column between the page and the panel, as tabs whose order and choice survive navigation', async () => {
    const { page } = a;
    const bobWin = await open(page, `u${bob.id}`, bob.name);
    const cidWin = await open(page, `u${cid.id}`, cid.name);
    const group = await open(page, `c${groupId}`, 'Harbour');
    const dock = page.locator('#chat-dock');
    for (const win of [bobWin, cidWin, group]) expect(await win.evaluate((w) => w.parentElement?.id)).toBe('chat-dock');

    // The column sits between <main> and the panel, over neither.
    const [main, column, panel] = [await box(page.locator('#main')), await box(dock), await box(page.locator('#chat-panel'))];
    expect(column.x).toBeGreaterThanOrEqual(main.x + main.width - 1);
    expect(column.x + column.width).toBeLessThanOrEqual(panel.x + 1);
    // The whole column is on screen, its Send button with it.
    const sendButton = group.getByRole('button', { name: 'Send' });
    expect(await clickable(sendButton)).toBe(true);

    // Tabs: the newest in front, one shown at a time.
    const tabs = page.getByRole('tab');
    expect(await tabs.allInnerTexts()).toEqual([bob.name, cid.name, 'Harbour']);
    expect(await page.getByRole('tab', { selected: true }).innerText()).toBe('Harbour');
    expect(await bobWin.isVisible()).toBe(false);
    await page.getByRole('tab', { name: cid.name }).click();
    await cidWin.waitFor({ state: 'visible' });
    expect(await group.isVisible()).toBe(false);
    // Arrow keys move between the tabs.
    await page.keyboard.press('ArrowLeft');
    await bobWin.waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(bob.name);
    const saved = page.waitForResponse((res) => new URL(res.url()).pathname === '/chat/settings');
    await page.keyboard.press('ArrowRight');
    await cidWin.waitFor({ state: 'visible' });
    await shot(page, 'windows-dock-tabs-1366.png');

    // A CRM form beside the column: every field and the submit button stay visible and clickable.
    await saved;
    await page.goto('/crm/tasks/new');
    await chatReady(page);
    expect(await page.getByRole('tab').allInnerTexts()).toEqual([bob.name, cid.name, 'Harbour']);
    expect(await page.getByRole('tab', { selected: true }).innerText()).toBe(cid.name);
    await windowOf(page, cid.name).waitFor({ state: 'visible' });
    const submit = page.locator('main form.form button[type="submit"]');
    expect(await clickable(submit)).toBe(true);
    for (const field of await page.locator('main form.form input, main form.form select, main form.form textarea').all()) {
      if (await field.isVisible()) expect(await clickable(field)).toBe(true);
    }
    await shot(page, 'windows-dock-crm-form-1366.png');
    await expectAccessible(page);
    expectNoPageErrors(a);
  });

  browserTest('small windows dock side by side without overlapping; those that do not fit wait in a "+N" list', async () => {
    const { page } = a;
    await page.goto('/');
    await chatReady(page);
    for (const name of [bob.name, cid.name, 'Harbour']) {
      const win = windowOf(page, name);
      // The tabs go when one maximized chat is left.
      if (await page.getByRole('tab', { name }).count()) await page.getByRole('tab', { name }).click();
      await win.getByRole('button', { name: 'Small window' }).click();
      await win.locator('xpath=..').and(page.locator('#chat-windows')).waitFor({ state: 'attached' });
    }
    expect(await page.locator('#chat-dock > section').count()).toBe(0);
    const shownWins = page.locator('#chat-windows > section.chat-window:visible');
    await page.locator('#chat-more-button').waitFor();
    // 1366 px: two windows of 420 px beside each other, the third in the list.
    expect(await shownWins.count()).toBe(2);
    expect(await page.locator('#chat-more-button').innerText()).toBe('+1');
    const [first, second] = [await box(shownWins.nth(0)), await box(shownWins.nth(1))];
    expect(overlap(first, second)).toBe(false);
    // Docked at the bottom, left of the panel.
    const panel = await box(page.locator('#chat-panel'));
    expect(first.x + first.width).toBeLessThanOrEqual(panel.x);
    expect(Math.round(first.y + first.height)).toBe(DESKTOP.height);
    // The last one made small is at the right; the first, Bob's, went to the list.
    expect(await shownWins.nth(0).getAttribute('id')).toBe(await windowOf(page, 'Harbour').getAttribute('id'));

    await page.locator('#chat-more-button').click();
    const item = page.getByRole('menuitem', { name: bob.name });
    await expectAccessible(page);
    await shot(page, 'windows-docked-more-1366.png');
    await item.click();
    await windowOf(page, bob.name).waitFor({ state: 'visible' });
    expect(await shownWins.count()).toBe(2);
    expect(await shownWins.nth(0).getAttribute('id')).toBe(await windowOf(page, bob.name).getAttribute('id'));
    await page.waitForFunction(() => document.activeElement?.matches('#chat-windows section textarea[name="body"]'));

    // On a CRM form, small windows keep to the right of the form: its submit button stays clickable.
    await page.goto('/crm/tasks/new');
    await chatReady(page);
    await page.locator('#chat-windows > section.chat-window:visible').first().waitFor();
    const submit = page.locator('main form.form button[type="submit"]');
    await submit.scrollIntoViewIfNeeded();
    expect(await clickable(submit)).toBe(true);
    const form = await box(page.locator('main form.form'));
    for (const win of await page.locator('#chat-windows > section.chat-window:visible').all()) expect((await box(win)).x).toBeGreaterThan(form.x + form.width);
    await shot(page, 'windows-docked-crm-form-1366.png');
    expectNoPageErrors(a);
  });

  browserTest('where a form leaves no room beside it, the windows a page brings back wait in the "+N" list; one chosen shows', async () => {
    const { page } = a;
    await page.goto('/');
    await chatReady(page);
    const harbour = windowOf(page, 'Harbour');
    if (!(await harbour.isVisible())) {
      await page.locator('#chat-more-button').click();
      await page.getByRole('menuitem', { name: 'Harbour' }).click();
    }
    const maximized = page.waitForResponse((res) => new URL(res.url()).pathname === '/chat/settings');
    await harbour.getByRole('button', { name: 'Maximize' }).click();
    await harbour.locator('xpath=..').and(page.locator('#chat-dock')).waitFor({ state: 'attached' });
    await maximized;

    // The column beside the page leaves the form no room for a small window: Bob's and Cid's wait in the list.
    await page.goto('/crm/tasks/new');
    await chatReady(page);
    await page.locator('#chat-more-button').waitFor();
    expect(await page.locator('#chat-more-button').innerText()).toBe('+2');
    expect(await page.locator('#chat-windows > section.chat-window:visible').count()).toBe(0);
    for (const field of await page.locator('main form.form input, main form.form select, main form.form textarea, main form.form button').all()) {
      if (await field.isVisible()) expect(await clickable(field)).toBe(true);
    }
    // The user's own choice shows, over the form if need be.
    await page.locator('#chat-more-button').click();
    await page.getByRole('menuitem', { name: bob.name }).click();
    await windowOf(page, bob.name).waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.activeElement?.matches('#chat-windows section textarea[name="body"]'));

    const small = page.waitForResponse((res) => new URL(res.url()).pathname === '/chat/settings');
    await harbour.getByRole('button', { name: 'Small window' }).click();
    await harbour.locator('xpath=..').and(page.locator('#chat-windows')).waitFor({ state: 'attached' });
    await small;
    expectNoPageErrors(a);
  });

  browserTest('by keyboard: Alt+Shift+arrows go from chat to chat, the grip resizes and moves a docked window, Esc closes', async () => {
    const { page } = a;
    await page.goto('/');
    await chatReady(page);
    const shownWins = page.locator('#chat-windows > section.chat-window:visible');
    await shownWins.first().waitFor();
    const [right, left] = [await shownWins.nth(0).getAttribute('id'), await shownWins.nth(1).getAttribute('id')];
    await page.locator(`#${right} textarea`).focus();
    await page.keyboard.press('Alt+Shift+ArrowRight');
    await page.waitForFunction((id) => document.activeElement?.closest('section')?.id === id, left);
    await page.keyboard.press('Alt+Shift+ArrowLeft');
    await page.waitForFunction((id) => document.activeElement?.closest('section')?.id === id, right);

    // The grip: Left makes the window wider (it grows to the left), Up taller; Shift+Left moves it one place left.
    const grip = page.locator(`#${right} .resize-grip`);
    const before = await box(page.locator(`#${right}`));
    await grip.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowUp');
    const after = await box(page.locator(`#${right}`));
    expect(Math.round(after.width - before.width)).toBe(20);
    expect(Math.round(after.height - before.height)).toBe(20);
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await shownWins.nth(0).getAttribute('id')).toBe(left);
    expect(await shownWins.nth(1).getAttribute('id')).toBe(right);
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('resize-grip');
    expect(overlap(await box(shownWins.nth(0)), await box(shownWins.nth(1)))).toBe(false);

    // Esc in a window closes it, and the focus goes to its conversation in the panel.
    const closing = page.locator(`#${right}`);
    const entry = await closing.getAttribute('data-entry');
    await page.locator(`#${right} textarea`).focus();
    await page.keyboard.press('Escape');
    await closing.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.closest('li')?.id)).toBe(`entry-${entry}`);
    expectNoPageErrors(a);
  });

  browserTest('a desktop notification is shown once across two hidden tabs; a muted conversation neither chimes nor notifies, its badge still counts', async () => {
    const user = await h.newUser({ label: 'dee' });
    await stubNotifications(user);
    await user.context.addInitScript(() => {
      const w = window as unknown as { chimes: number };
      w.chimes = 0;
      const Base = window.AudioContext;
      window.AudioContext = class extends Base {
        override createOscillator(): OscillatorNode {
          w.chimes++;
          return super.createOscillator();
        }
      };
    });
    const first = user.page;
    await first.goto('/login');
    await htmxReady(first);
    await first.getByLabel('E-mail', { exact: true }).fill(dee.email);
    await first.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await first.getByRole('button', { name: 'Sign in', exact: true }).click();
    await chatReady(first);
    // Asked for with the gear's button, never on load.
    expect(await first.evaluate(() => (window as unknown as { asked: number }).asked)).toBe(0);
    await first.getByRole('button', { name: 'Chat settings' }).click();
    await first.getByRole('menuitem', { name: 'Turn on desktop notifications' }).click();
    await first.getByRole('button', { name: 'Chat settings' }).click();
    await first.getByRole('menuitem', { name: 'Turn off desktop notifications' }).waitFor();
    expect(await first.evaluate(() => (window as unknown as { asked: number }).asked)).toBe(1);
    await first.keyboard.press('Escape');
    const second = await user.context.newPage();
    await second.goto('/');
    await chatReady(second);

    const deeChat = await directConversation(bobApi, dee.id);
    await send(bobApi, deeChat, 'Are you free at three?');
    await second.locator(`#unread-u${bob.id}:not(.empty)`).waitFor();
    await first.locator(`#unread-u${bob.id}:not(.empty)`).waitFor();
    await first.waitForTimeout(800);
    const both = [...(await shown(first)), ...(await shown(second))];
    expect(both).toEqual([{ title: bob.name, body: 'Are you free at three?', tag: expect.stringMatching(/^gwar-message-\d+$/) }]);
    // Clicking it opens the conversation in the tab that showed it.
    const showing = (await shown(first)).length ? first : second;
    await showing.evaluate(() => (window as unknown as { lastNotification: { onclick: () => void } }).lastNotification.onclick());
    const opened = windowOf(showing, bob.name);
    await opened.waitFor();
    await opened.getByRole('button', { name: 'Close' }).click();

    // Muted from the window's menu: the next message counts on the badge, but nothing pops up or chimes.
    const win = await open(first, `u${bob.id}`, bob.name);
    await win.getByRole('button', { name: 'Conversation actions' }).click();
    await win.getByRole('menuitem', { name: 'Mute notifications' }).click();
    await win.locator('[data-muted="true"]').and(win.locator('form')).waitFor({ state: 'attached' });
    expect(await win.getAttribute('data-muted')).not.toBeNull();
    await win.getByRole('button', { name: 'Close' }).click();
    const chimesBefore = await second.evaluate(() => (window as unknown as { chimes: number }).chimes);
    await send(bobApi, deeChat, 'Still there?');
    // Both messages count (a hidden page reads nothing).
    await second.locator(`#unread-u${bob.id} [aria-hidden]`, { hasText: '2' }).waitFor();
    await second.waitForTimeout(800);
    expect([...(await shown(first)), ...(await shown(second))]).toHaveLength(1);
    expect(await second.evaluate(() => (window as unknown as { chimes: number }).chimes)).toBe(chimesBefore);

    // Unmuted: it pops up again (once).
    const again = await open(first, `u${bob.id}`, bob.name);
    await again.getByRole('button', { name: 'Conversation actions' }).click();
    await again.getByRole('menuitem', { name: 'Unmute notifications' }).click();
    await again.locator('form.mute-form[data-muted="false"]').waitFor({ state: 'attached' });
    await again.getByRole('button', { name: 'Close' }).click();
    await send(bobApi, deeChat, 'Ping');
    await second.waitForTimeout(1000);
    const all = [...(await shown(first)), ...(await shown(second))];
    expect(all.map((n) => n.body)).toEqual(['Are you free at three?', 'Ping']);
    expectNoPageErrors(user);
    await user.context.close();
  });

  browserTest('on a phone: the header on one row, the panel as a drawer, one conversation full screen with a back arrow, no sideways scrolling', async () => {
    const { page } = a;
    await page.setViewportSize(PHONE);
    for (const path of ['/', `/chat/conversations/${groupId}`, '/crm/companies', '/crm/tasks/new']) {
      await page.goto(path);
      await htmxReady(page);
      expect(await noSidewaysScroll(page)).toBe(true);
      const header = await box(page.locator('.app-header'));
      expect(header.height).toBeLessThanOrEqual(56);
    }
    await shot(page, 'phone-crm-form-390.png');
    await page.goto('/crm/companies');
    await chatReady(page);
    await shot(page, 'phone-crm-list-390.png');
    await page.goto('/');
    await chatReady(page);
    // Remembered windows wait on a phone: the page opens as itself.
    expect(await page.locator('section.chat-window:visible').count()).toBe(0);
    await shot(page, 'phone-home-390.png');
    const drawerButton = page.getByRole('button', { name: 'Chat', exact: true });
    expect((await box(drawerButton)).height).toBeGreaterThanOrEqual(44);
    await drawerButton.click();
    await page.locator('#chat-panel').waitFor({ state: 'visible' });
    expect(await drawerButton.getAttribute('aria-expanded')).toBe('true');
    expect(await noSidewaysScroll(page)).toBe(true);
    await shot(page, 'phone-drawer-390.png');
    await expectAccessible(page);
    // Esc closes the drawer, the focus back on its button; the button opens it again.
    await page.keyboard.press('Escape');
    await page.locator('#chat-panel').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('drawer-button');
    await page.keyboard.press('Enter');
    await page.locator('#chat-panel').waitFor({ state: 'visible' });

    const win = await open(page, `c${groupId}`, 'Harbour');
    await page.locator('#chat-panel').waitFor({ state: 'hidden' });
    const full = await box(win);
    expect(full).toMatchObject({ x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    // The composer on one row: Send beside the box, never under it; 44 px targets.
    const [boxRow, sendButton] = [await box(win.getByLabel('Message', { exact: true })), await box(win.getByRole('button', { name: 'Send' }))];
    expect(Math.abs(sendButton.y + sendButton.height / 2 - (boxRow.y + boxRow.height / 2))).toBeLessThan(12);
    expect(sendButton.height).toBeGreaterThanOrEqual(44);
    for (const name of ['Back', 'Close', 'Emoji']) expect((await box(win.getByRole(name === 'Back' ? 'link' : 'button', { name }))).height).toBeGreaterThanOrEqual(44);
    expect(await noSidewaysScroll(page)).toBe(true);
    await send(bobApi, groupId, 'Seen on the phone');
    await win.locator('li.msg', { hasText: 'Seen on the phone' }).waitFor();
    await shot(page, 'phone-conversation-390.png');
    await expectAccessible(page);

    await win.getByRole('link', { name: 'Back' }).click();
    await win.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('drawer-button');

    // The header's menu holds the navigation.
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'CRM' }).click();
    await page.waitForURL(/\/crm\//);
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.setViewportSize(DESKTOP);
    expectNoPageErrors(a);
  });

  browserTest('without JavaScript no floating window is drawn and conversations open as pages, their Send button free', async () => {
    const context = await h.browser.newContext({ baseURL: h.url, javaScriptEnabled: false, viewport: DESKTOP });
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('E-mail', { exact: true }).fill(ann.email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: `Welcome, ${ann.name}` }).waitFor();
      // Ann left windows open (the earlier tests): none is drawn.
      expect(await page.locator('section.chat-window').count()).toBe(0);
      await page.locator(`#entry-c${groupId} a`).click();
      await page.waitForURL(/\/chat\/conversations\/\d+$/);
      const win = page.locator('main section.chat-window.in-main');
      await win.waitFor();
      expect(await page.locator('section.chat-window.floating').count()).toBe(0);
      const sendButton = win.getByRole('button', { name: 'Send' });
      expect(await sendButton.isVisible()).toBe(true);
      const b = await box(sendButton);
      expect(b.y + b.height).toBeLessThanOrEqual(DESKTOP.height + 200);
      await shot(page, 'nojs-conversation-1366.png');
      // It sends as a plain form.
      await win.getByLabel('Message', { exact: true }).fill('Sent without JavaScript');
      await sendButton.click();
      await page.locator('main li.msg', { hasText: 'Sent without JavaScript' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
