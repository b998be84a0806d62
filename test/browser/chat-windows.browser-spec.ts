import { Locator, Page } from 'playwright-core';
import type { Socket } from 'socket.io';
import { User } from '../../src/accounts/user.entity';
import { RealtimeGateway } from '../../src/realtime/realtime.gateway';
import { userRoom } from '../../src/realtime/server-events';
import { createCompany, createUser } from '../support/factories';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, expectNoPageErrors, Harness, openHarness } from './harness';
import { chatReady, signInToChat as signIn } from './chat-helpers';

/** A window by its title, shown or not (a maximized chat in a tab behind another is hidden). */
const windowOf = (page: Page, title: string) => page.locator('section.chat-window', { has: page.locator('.win-title', { hasText: title }) });

async function openFromPanel(page: Page, entry: Locator, title: string): Promise<Locator> {
  await entry.locator('a').click();
  const win = windowOf(page, title);
  await win.waitFor();
  return win;
}

async function send(win: Locator, text: string): Promise<void> {
  const box = win.getByLabel('Message', { exact: true });
  await box.click();
  await box.pressSequentially(text);
  await box.press('Enter');
}

async function size(win: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await win.boundingBox();
  if (!box) throw new Error('window not shown');
  return { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
}

/** Drags from the middle of an element by (dx, dy) with the mouse, in steps, as a hand would. */
async function drag(page: Page, handle: Locator, dx: number, dy: number, at?: { x: number; y: number }): Promise<void> {
  const box = await handle.boundingBox();
  if (!box) throw new Error('handle not shown');
  const x = at ? box.x + at.x : box.x + box.width / 2;
  const y = at ? box.y + at.y : box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 8 });
  await page.mouse.up();
}

/** Waits for the open windows to be saved as a list of `count` windows. */
const windowsSaved = (page: Page, count: number) =>
  page.waitForResponse((res) => {
    const sent = new URLSearchParams(res.request().postData() ?? '').get('openWindows');
    return new URL(res.url()).pathname === '/chat/settings' && sent !== null && (JSON.parse(sent) as unknown[]).length === count;
  });

const settingsSaved = (page: Page, field: string) =>
  page.waitForResponse((res) => new URL(res.url()).pathname === '/chat/settings' && (res.request().postData() ?? '').includes(field));

describeBrowser('chat windows, groups and reconnecting', () => {
  let h: Harness;
  let ann: User;
  let bob: User;
  let cid: User;
  let a: BrowserUser;
  let b: BrowserUser;

  beforeAll(async () => {
    h = await openHarness();
    const em = h.app.em();
    await createCompany(em, { operator: true });
    const company = await createCompany(em, { name: 'Windows Ltd' });
    ann = await createUser(em, company, { name: 'Ann Window' });
    bob = await createUser(em, company, { name: 'Bob Window' });
    cid = await createUser(em, company, { name: 'Cid Window' });
    a = await signIn(h, ann, 'ann');
    b = await signIn(h, bob, 'bob');
  });
  afterAll(() => h?.close());

  browserTest('remembers the size set with the grip as the default for new windows, and the open windows across a reload', async () => {
    const { page } = a;
    const bobWin = await openFromPanel(page, page.locator(`#entry-u${bob.id}`), bob.name);
    expect(await bobWin.getAttribute('class')).toContain('maximized');

    // A second click on the entry brings the open window forward instead of opening another.
    await page.locator(`#entry-u${bob.id} a`).click();
    await page.waitForTimeout(200);
    expect(await windowOf(page, bob.name).count()).toBe(1);

    const smaller = settingsSaved(page, 'openWindows');
    // The seed's size icon: two overlapping squares on a maximized window, a square on a small one.
    expect(await bobWin.locator('.icon-restore').isVisible()).toBe(true);
    await bobWin.getByRole('button', { name: 'Small window' }).click();
    expect(await bobWin.getAttribute('class')).toContain('small');
    expect(await bobWin.locator('.icon-square').isVisible()).toBe(true);
    expect(await bobWin.locator('.icon-restore').isVisible()).toBe(false);
    await bobWin.getByRole('button', { name: 'Maximize' }).waitFor();
    await smaller;
    const start = await size(bobWin);
    expect(start).toMatchObject({ width: 420, height: 520 });

    // Docked at the bottom right, it does not float; its grip at the top left makes it larger, up and to the left.
    expect(start.y + start.height).toBe(720);
    const resized = settingsSaved(page, 'windowWidth');
    await drag(page, bobWin.locator('.resize-grip'), -60, -50);
    await resized;
    const afterResize = await size(bobWin);
    expect(afterResize).toMatchObject({ x: start.x - 60, y: start.y - 50, width: 480, height: 570 });

    // A window with Cid, opened too, then closed again after a reload.
    const twoSaved = windowsSaved(page, 2);
    const cidWin = await openFromPanel(page, page.locator(`#entry-u${cid.id}`), cid.name);
    await twoSaved;
    expect(await cidWin.getAttribute('class')).toContain('maximized');

    await page.reload();
    await chatReady(page);
    const bobAgain = windowOf(page, bob.name);
    const cidAgain = windowOf(page, cid.name);
    await bobAgain.waitFor();
    await cidAgain.waitFor();
    // The same size (its place moved left: Cid's maximized chat is now a column beside the panel).
    expect(await size(bobAgain)).toMatchObject({ width: afterResize.width, height: afterResize.height });
    expect(await bobAgain.getAttribute('class')).toContain('small');
    expect(await cidAgain.getAttribute('class')).toContain('maximized');

    // The new default size: Cid's window made small takes it.
    await cidAgain.getByRole('button', { name: 'Small window' }).click();
    expect(await size(cidAgain)).toMatchObject({ width: 480, height: 570 });

    const closed = windowsSaved(page, 1);
    await cidAgain.getByRole('button', { name: 'Close' }).click();
    await closed;
    await page.reload();
    await chatReady(page);
    await windowOf(page, bob.name).waitFor();
    expect(await windowOf(page, cid.name).count()).toBe(0);

    // Messages still flow into a window the page put back.
    await send(windowOf(page, bob.name), 'Still here after the reload');
    await b.page.locator(`#unread-u${ann.id}:not(.empty)`).waitFor();
    const bobsWin = await openFromPanel(b.page, b.page.locator(`#entry-u${ann.id}`), ann.name);
    await bobsWin.locator('li.msg.theirs', { hasText: 'Still here after the reload' }).waitFor();
    await b.page.locator('#unread-total.empty').waitFor({ state: 'attached' });
    await bobsWin.getByRole('button', { name: 'Close' }).click();
    expectNoPageErrors(a);
  });

  browserTest('a group made with the gear and the Add group dialog appears live for its member, and messages flow', async () => {
    const group = 'Launch team';
    for (const close of await a.page.locator('#chat-windows').getByRole('button', { name: 'Close' }).all()) await close.click();
    await a.page.getByRole('button', { name: 'Chat settings' }).click();
    await a.page.getByRole('menuitem', { name: 'Add group' }).click();
    const dialog = a.page.locator('#chat-dialog');
    await dialog.getByLabel('Group name').waitFor();
    expect(await dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
    await expectAccessible(a.page);

    // Without a name the form comes back with the error, in the dialog.
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await dialog.locator('.has-error').waitFor();
    await dialog.getByLabel('Group name').fill(group);
    await dialog.getByLabel(bob.name).check();
    await dialog.getByRole('button', { name: 'Create group' }).click();

    const annWin = windowOf(a.page, group);
    await annWin.waitFor();
    await dialog.waitFor({ state: 'hidden' });
    expect(await annWin.getAttribute('data-kind')).toBe('group');

    const bobEntry = b.page.locator('#panel-entries li.entry-group', { hasText: group });
    await bobEntry.waitFor();
    // The notification comes once, though the panel is redrawn for the new group at the same moment.
    const added = b.page.locator('#notification-list li', { hasText: `added you to the group ${group}` });
    await added.first().waitFor();
    await b.page.waitForTimeout(500);
    expect(await added.count()).toBe(1);
    await send(annWin, 'Welcome to the team');
    await bobEntry.locator('.badge:not(.empty)').waitFor();

    const bobWin = await openFromPanel(b.page, bobEntry, group);
    await bobWin.locator('li.msg.theirs', { hasText: 'Welcome to the team' }).waitFor();
    await b.page.locator('#unread-total.empty').waitFor({ state: 'attached' });
    await send(bobWin, 'Glad to be here');
    await annWin.locator('li.msg.theirs', { hasText: 'Glad to be here' }).waitFor();
    await annWin.locator('li.msg.mine .receipt.read').waitFor();
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  });

  browserTest('leaving a group closes its window and takes it off the panel', async () => {
    await b.page.locator('#panel-entries li.entry-group', { hasText: 'Launch team' }).locator('a').click();
    const bobWin = windowOf(b.page, 'Launch team');
    await bobWin.waitFor();
    await bobWin.getByRole('button', { name: 'Group actions' }).click();
    b.page.once('dialog', (dialog) => void dialog.accept());
    await bobWin.getByRole('menuitem', { name: 'Leave group' }).click();
    await bobWin.waitFor({ state: 'detached' });
    await b.page.locator('#panel-entries li.entry-group').waitFor({ state: 'detached' });
    expectNoPageErrors(b);
  });

  browserTest('catches up after the connection drops: messages sent meanwhile appear', async () => {
    const annWin = await openFromPanel(a.page, a.page.locator(`#entry-u${bob.id}`), bob.name);
    const bobWin = await openFromPanel(b.page, b.page.locator(`#entry-u${ann.id}`), ann.name);
    await b.context.setOffline(true);
    const gateway = h.app.app.get(RealtimeGateway);
    for (const socket of await gateway.server.in(userRoom(bob.id)).fetchSockets()) (socket as unknown as Socket).conn.close();
    await b.page.locator('html[data-chat-socket="disconnected"]').waitFor({ state: 'attached' });

    await send(annWin, 'Sent while you were away');
    await annWin.locator('li.msg.mine[data-message-id]', { hasText: 'Sent while you were away' }).waitFor();
    await b.page.waitForTimeout(300);
    expect(await bobWin.locator('li.msg', { hasText: 'Sent while you were away' }).count()).toBe(0);

    await b.context.setOffline(false);
    await bobWin.locator('li.msg.theirs', { hasText: 'Sent while you were away' }).waitFor({ timeout: 15_000 });
    // And live again afterwards.
    await send(annWin, 'And now live');
    await bobWin.locator('li.msg.theirs', { hasText: 'And now live' }).waitFor();
    expectNoPageErrors(b);
  });

  browserTest('a maximized chat in a tab behind another is not read until it is brought forward', async () => {
    const bobWin = windowOf(a.page, bob.name);
    if ((await bobWin.getAttribute('class'))!.includes('small')) await bobWin.getByRole('button', { name: 'Maximize' }).click();
    await openFromPanel(a.page, a.page.locator(`#entry-u${cid.id}`), cid.name);
    await send(windowOf(b.page, ann.name), 'Behind the other window');
    await bobWin.locator('li.msg.theirs', { hasText: 'Behind the other window' }).waitFor({ state: 'attached' });
    await a.page.waitForTimeout(600);
    await a.page.locator(`#unread-u${bob.id}:not(.empty)`).waitFor({ state: 'attached' });

    await a.page.locator(`#entry-u${bob.id} a`).click();
    await a.page.locator(`#unread-u${bob.id}.empty`).waitFor({ state: 'attached' });
    expect(await windowOf(a.page, cid.name).count()).toBe(1);
    expectNoPageErrors(a);
  });
});
