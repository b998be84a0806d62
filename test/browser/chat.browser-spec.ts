import { Locator, Page } from 'playwright-core';
import { User } from '../../src/accounts/user.entity';
import { createCompany, createUser, PASSWORD } from '../support/factories';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, expectNoPageErrors, Harness, htmxReady, openHarness } from './harness';

/** Signs in through the form and waits until the chat's socket is up. */
async function signIn(h: Harness, user: User, label: string): Promise<BrowserUser> {
  const person = await h.newUser({ label });
  // Counts the chimes: the page's own Web Audio calls, seen from outside (init scripts are not subject to the CSP).
  await person.context.addInitScript(() => {
    const Base = window.AudioContext;
    const w = window as unknown as { chimes: number };
    w.chimes = 0;
    window.AudioContext = class extends Base {
      override createOscillator(): OscillatorNode {
        w.chimes++;
        return super.createOscillator();
      }
    };
  });
  const { page } = person;
  await page.goto('/login');
  await htmxReady(page);
  await page.getByLabel('E-mail', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: `Welcome, ${user.name}` }).waitFor();
  await chatReady(page);
  return person;
}

async function chatReady(page: Page): Promise<void> {
  await htmxReady(page);
  await page.locator('html[data-chat-socket="connected"]').waitFor({ state: 'attached' });
}

/** Opens the conversation with a colleague (or a group) from the panel and returns its window. */
async function openFromPanel(page: Page, entryKey: string, title: string): Promise<Locator> {
  await page.locator(`#entry-${entryKey} a`).click();
  const win = page.locator('section.chat-window', { has: page.getByRole('heading', { name: title }) });
  await win.waitFor();
  return win;
}

async function send(win: Locator, text: string): Promise<void> {
  const box = win.getByLabel('Message', { exact: true });
  await box.click();
  await box.pressSequentially(text);
  await box.press('Enter');
}

const chimes = (page: Page) => page.evaluate(() => (window as unknown as { chimes: number }).chimes);

describeBrowser('chat between two people in two browsers', () => {
  let h: Harness;
  let ann: User;
  let bob: User;
  let a: BrowserUser;
  let b: BrowserUser;
  let annWindow: Locator;
  let bobWindow: Locator;

  beforeAll(async () => {
    h = await openHarness();
    const em = h.app.em();
    await createCompany(em, { operator: true });
    const company = await createCompany(em, { name: 'Chatty Ltd' });
    ann = await createUser(em, company, { name: 'Ann Archer' });
    bob = await createUser(em, company, { name: 'Bob Baker' });
    a = await signIn(h, ann, 'ann');
    b = await signIn(h, bob, 'bob');
  });
  afterAll(() => h?.close());

  browserTest('sends and receives live: Enter sends, Shift+Enter breaks the line; the unread badge comes and goes', async () => {
    annWindow = await openFromPanel(a.page, `u${bob.id}`, bob.name);
    expect(await annWindow.getAttribute('class')).toContain('maximized');
    const chimesBefore = await chimes(b.page);

    const box = annWindow.getByLabel('Message', { exact: true });
    await box.click();
    await box.pressSequentially('Hello Bob');
    await box.press('Shift+Enter');
    await box.pressSequentially('second line');
    await box.press('Enter');

    const sent = annWindow.locator('li.msg.mine[data-message-id]');
    await sent.waitFor();
    expect(await sent.count()).toBe(1);
    expect(await sent.locator('.msg-body').innerText()).toBe('Hello Bob\nsecond line');
    expect(await box.inputValue()).toBe('');
    await annWindow.locator('li.msg.mine .receipt.sent').waitFor();

    // Bob has no window open: a red badge on Ann's entry and in total, the title and a chime.
    await b.page.locator(`#unread-u${ann.id}:not(.empty)`).waitFor();
    expect(await b.page.locator(`#unread-u${ann.id} [aria-hidden]`).innerText()).toBe('1');
    expect(await b.page.locator('#unread-total [aria-hidden]').innerText()).toBe('1');
    await b.page.waitForFunction(() => document.title.startsWith('(1) '));
    await b.page.waitForFunction((before) => (window as unknown as { chimes: number }).chimes > before, chimesBefore);

    // Opening the conversation shows the message, with its line break, and reads it.
    bobWindow = await openFromPanel(b.page, `u${ann.id}`, ann.name);
    const received = bobWindow.locator('li.msg.theirs');
    await received.waitFor();
    expect(await received.locator('.msg-body').innerText()).toBe('Hello Bob\nsecond line');
    await b.page.locator('#unread-total.empty').waitFor({ state: 'attached' });
    await b.page.locator(`#unread-u${ann.id}.empty`).waitFor({ state: 'attached' });
    await b.page.waitForFunction(() => !document.title.startsWith('('));

    // And back, live into Ann's open window.
    await send(bobWindow, 'Hi Ann');
    await annWindow.locator('li.msg.theirs', { hasText: 'Hi Ann' }).waitFor();
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  });

  browserTest('turns the tick green when the other has read the message', async () => {
    // Bob's window is open and focused on his side, so Ann's first message was read when he opened it.
    await annWindow.locator('li.msg.mine', { hasText: 'Hello Bob' }).locator('.receipt.read').waitFor();

    // Bob closes his window: Ann's next message stays grey until he opens it again.
    await bobWindow.getByRole('button', { name: 'Close' }).click();
    await bobWindow.waitFor({ state: 'detached' });
    await send(annWindow, 'Are you there?');
    const second = annWindow.locator('li.msg.mine[data-message-id]', { hasText: 'Are you there?' });
    await second.locator('.receipt.sent').waitFor();
    await b.page.locator(`#unread-u${ann.id}:not(.empty)`).waitFor();

    bobWindow = await openFromPanel(b.page, `u${ann.id}`, ann.name);
    await second.locator('.receipt.read').waitFor();
    await second.locator('.receipt').hover();
    await second.locator('.readers', { hasText: `Read by ${bob.name}` }).waitFor();

    // A quoted reply from Bob, by the quick reply arrow; the quote leads to the original.
    const original = bobWindow.locator('li.msg.theirs', { hasText: 'Are you there?' });
    await original.hover();
    await original.getByRole('button', { name: 'Reply' }).click();
    await bobWindow.locator('.reply-preview', { hasText: `Replying to ${ann.name}` }).waitFor();
    await bobWindow.getByLabel('Message', { exact: true }).press('Enter');
    // An empty message is not sent; type something.
    await send(bobWindow, 'Yes, here');
    const answer = annWindow.locator('li.msg.theirs', { hasText: 'Yes, here' });
    await answer.locator('.msg-quote', { hasText: 'Are you there?' }).click();
    await annWindow.locator('li.msg.mine.highlight', { hasText: 'Are you there?' }).waitFor();
  });

  browserTest('shows an edit with the grey pencil on the other side', async () => {
    const mine = annWindow.locator('li.msg.mine', { hasText: 'Are you there?' });
    await mine.locator('.msg-body').click();
    const editor = mine.locator('textarea.edit-box');
    await editor.waitFor();
    expect(await editor.inputValue()).toBe('Are you there?');
    // Escape cancels.
    await editor.press('Escape');
    await editor.waitFor({ state: 'detached' });
    expect(await mine.locator('.edited').count()).toBe(0);

    await mine.locator('.msg-body').focus();
    await mine.locator('.msg-body').press('Enter');
    await editor.fill('Are you still there?');
    await editor.press('Enter');
    await annWindow.locator('li.msg.mine .edited').waitFor();

    const theirs = bobWindow.locator('li.msg.theirs', { hasText: 'Are you still there?' });
    await theirs.locator('.edited').waitFor();
    expect(await theirs.locator('.msg-body').innerText()).toBe('Are you still there?');
  });

  browserTest('deletes through the message menu, and both see "Message deleted"', async () => {
    await send(annWindow, 'Oops, wrong chat');
    const mine = annWindow.locator('li.msg.mine[data-message-id]', { hasText: 'Oops, wrong chat' });
    await mine.waitFor();
    await bobWindow.locator('li.msg.theirs', { hasText: 'Oops, wrong chat' }).waitFor();
    const id = await mine.getAttribute('id');
    // Everything Bob wrote was on Ann's screen: nothing is left unread for her.
    await a.page.locator('#unread-total.empty').waitFor({ state: 'attached' });

    // Right-click opens our menu at the pointer; Escape closes it.
    await mine.locator('.msg-body').click({ button: 'right' });
    const menu = a.page.locator('#chat-menu');
    await menu.waitFor();
    expect(await menu.getByRole('menuitem', { name: 'Edit' }).isVisible()).toBe(true);
    expect(await menu.getByRole('menuitem', { name: 'Delete' }).isVisible()).toBe(true);
    await a.page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });

    // The ⋮ button opens it from the keyboard; arrows move, Enter chooses.
    await mine.hover();
    const more = mine.getByRole('button', { name: 'Message actions' });
    await more.focus();
    await a.page.keyboard.press('Enter');
    await menu.waitFor();
    expect(await a.page.evaluate(() => document.activeElement?.getAttribute('data-menu'))).toBe('reply');
    await a.page.keyboard.press('End');
    await a.page.keyboard.press('ArrowDown');
    expect(await a.page.evaluate(() => document.activeElement?.getAttribute('data-menu'))).toBe('reply');
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown']) await a.page.keyboard.press(key);
    expect(await a.page.evaluate(() => document.activeElement?.getAttribute('data-menu'))).toBe('delete');
    a.page.once('dialog', (dialog) => void dialog.accept());
    await a.page.keyboard.press('Enter');

    await a.page.locator(`#${id}.deleted`, { hasText: 'Message deleted' }).waitFor();
    await b.page.locator(`#${id}.deleted`, { hasText: 'Message deleted' }).waitFor();
    // Bob may not edit or delete Ann's message, and a deleted one has no menu at all.
    await bobWindow.locator('li.msg.theirs:not(.deleted)').first().click({ button: 'right' });
    const bobMenu = b.page.locator('#chat-menu');
    await bobMenu.waitFor();
    expect(await bobMenu.getByRole('menuitem', { name: 'Reply' }).isVisible()).toBe(true);
    expect(await bobMenu.getByRole('menuitem', { name: 'Edit' }).isVisible()).toBe(false);
    expect(await bobMenu.getByRole('menuitem', { name: 'Delete' }).isVisible()).toBe(false);
    await b.page.keyboard.press('Escape');
    await bobMenu.waitFor({ state: 'hidden' });
    await b.page.locator(`#${id}`).click({ button: 'right' });
    expect(await bobMenu.isHidden()).toBe(true);
  });

  browserTest('inserts an emoji at the cursor from the picker', async () => {
    const box = annWindow.getByLabel('Message', { exact: true });
    await box.fill('Good job');
    await box.press('Home');
    await annWindow.getByRole('button', { name: 'Insert emoji' }).click();
    const picker = annWindow.getByRole('dialog', { name: 'Insert emoji' });
    await picker.waitFor();
    await a.page.keyboard.press('ArrowRight');
    await a.page.keyboard.press('Enter');
    await picker.waitFor({ state: 'hidden' });
    expect(await box.inputValue()).toBe('😂Good job');
    await box.fill('');
  });

  browserTest('passes axe with an open window, its messages, the menu and the emoji picker', async () => {
    await a.page.mouse.move(0, 0);
    await expectAccessible(a.page);
    await expectAccessible(b.page);
    await annWindow.getByRole('button', { name: 'Insert emoji' }).click();
    await annWindow.getByRole('dialog', { name: 'Insert emoji' }).waitFor();
    await expectAccessible(a.page);
    await a.page.keyboard.press('Escape');
    await annWindow.locator('li.msg.mine[data-message-id]:not(.deleted) .msg-body').first().click({ button: 'right' });
    await a.page.locator('#chat-menu').waitFor();
    await expectAccessible(a.page);
    await a.page.keyboard.press('Escape');
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  });
});
