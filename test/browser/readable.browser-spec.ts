import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Locator, Page } from 'playwright-core';
import request from 'supertest';
import { User } from '../../src/accounts/user.entity';
import { createGroup } from '../support/chat';
import { createCompany, createUser, PASSWORD } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { generateToken } from '../support/integrations';
import { chatReady, openFromPanel, sendMessage, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, expectNoPageErrors, Harness, openHarness, RESULTS_DIR } from './harness';

const MINUTE = 60_000;

/** What `read` answers once it satisfies `ok`, or, after a few seconds, its last answer (for the assertion to show). */
async function settled<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let tries = 0; tries < 50 && !ok(value); tries++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/**
 * A conversation as people read it, with two people at once: one author's run of messages under one name and
 * avatar, a heading for each day, and the count of new messages below while one reads further up.
 */
describeBrowser('readable conversations: groups, days, avatars and the way back to the latest', () => {
  let h: Harness;
  let ann: User;
  let bob: User;
  let annClient: Client;
  let groupId: number;
  let a: BrowserUser;
  let b: BrowserUser;
  let annWin: Locator;
  let bobWin: Locator;
  const ids = new Map<string, number>();
  const now = Date.now();
  const twoDaysAgo = new Date(now - 2 * 24 * 60 * MINUTE);
  twoDaysAgo.setHours(10, 0, 0, 0);
  const yesterday = new Date(now - 24 * 60 * MINUTE);
  yesterday.setHours(15, 0, 0, 0);

  /** Straight into the table, at a given time: a history of several days without waiting for them. */
  async function history(companyId: number, rows: { author: User; body: string; at: Date }[]) {
    const connection = h.app.em().getConnection();
    let seq = 0;
    for (const row of rows) {
      const [inserted] = await connection.execute(
        `insert into message (company_id, conversation_id, author_id, client_id, body, seq, created_at)
         values (?, ?, ?, gen_random_uuid(), ?, ?, ?) returning id`,
        [companyId, groupId, row.author.id, row.body, ++seq, row.at],
      );
      ids.set(row.body, Number(inserted.id));
    }
    await connection.execute(`update conversation set change_seq = ?, last_message_at = ? where id = ?`, [seq, rows.at(-1)!.at, groupId]);
    // Both have read everything: no "new messages" line in the way.
    await connection.execute(`update conversation_member set last_read_message_id = ? where conversation_id = ?`, [Math.max(...ids.values()), groupId]);
  }

  const item = (win: Locator, text: string) => win.locator('li.msg', { has: win.page().locator('.msg-body', { hasText: new RegExp(`^${text}$`) }) });
  const continued = async (win: Locator, text: string) => ((await item(win, text).getAttribute('class')) ?? '').split(' ').includes('continued');
  const deletedItem = (win: Locator, body: string) => win.locator(`li.msg[data-message-id="${ids.get(body)}"]`);
  const separators = (win: Locator) => win.locator('li.day-separator').allInnerTexts();
  const sameYear = twoDaysAgo.getFullYear() === new Date().getFullYear();
  const twoDaysAgoHeading = new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(twoDaysAgo);

  beforeAll(async () => {
    h = await openHarness();
    const em = h.app.em();
    await createCompany(em, { operator: true });
    const company = await createCompany(em, { name: 'Readers Ltd', apiAddon: true });
    ann = await createUser(em, company, { name: 'Ann Reader', role: 'admin' });
    bob = await createUser(em, company, { name: 'Bob Reader' });
    annClient = await signedIn(h.url, ann.email);
    groupId = await createGroup(annClient, 'Reading room', [bob.id]);
    const rows: { author: User; body: string; at: Date }[] = [];
    // Sixty messages of Ann's two days ago, a minute apart: more than a page, so the first eighteen come when asked for.
    for (let i = 1; i <= 60; i++) rows.push({ author: ann, body: `early ${i}`, at: new Date(twoDaysAgo.getTime() + (i - 1) * MINUTE) });
    rows.push({ author: bob, body: 'yesterday 1', at: yesterday });
    rows.push({ author: bob, body: 'yesterday 2', at: new Date(yesterday.getTime() + MINUTE) });
    rows.push({ author: bob, body: 'yesterday 3', at: new Date(yesterday.getTime() + 20 * MINUTE) });
    rows.push({ author: ann, body: 'today 1', at: new Date(now - 30 * MINUTE) });
    rows.push({ author: ann, body: 'today 2', at: new Date(now - 29 * MINUTE) });
    rows.push({ author: ann, body: 'today 3', at: new Date(now - 28 * MINUTE) });
    rows.push({ author: bob, body: 'today 4', at: new Date(now - 10 * MINUTE) });
    rows.push({ author: ann, body: 'today 5', at: new Date(now - MINUTE) });
    await history(company.id, rows);
    a = await signInToChat(h, ann, 'ann');
    b = await signInToChat(h, bob, 'bob');
    annWin = await openFromPanel(a.page, `c${groupId}`, 'Reading room');
    bobWin = await openFromPanel(b.page, `c${groupId}`, 'Reading room');
  });
  afterAll(() => h?.close());

  browserTest('groups one author’s messages written minutes apart and heads each day, the same for both people', async () => {
    for (const win of [annWin, bobWin]) {
      await item(win, 'today 5').waitFor();
      expect(await separators(win)).toEqual([twoDaysAgoHeading, 'Yesterday', 'Today']);
      // The separators are headings one level under the window's title, in the list's order.
      expect(await win.getByRole('heading', { level: 3 }).allInnerTexts()).toEqual(await separators(win));
      const marks = await Promise.all(
        ['early 19', 'early 20', 'yesterday 1', 'yesterday 2', 'yesterday 3', 'today 1', 'today 2', 'today 3', 'today 4', 'today 5'].map((t) =>
          continued(win, t),
        ),
      );
      expect(marks).toEqual([false, true, false, true, false, false, true, true, false, false]);
    }
    // Only the first of a run shows the avatar, the name and the time; the others show the time on hover.
    const first = item(bobWin, 'today 1');
    const next = item(bobWin, 'today 2');
    await expect(first.locator('.msg-avatar').isVisible()).resolves.toBe(true);
    await expect(first.locator('.msg-time').isVisible()).resolves.toBe(true);
    await expect(next.locator('.msg-avatar').isVisible()).resolves.toBe(false);
    expect(await next.locator('.msg-time').evaluate((e) => getComputedStyle(e).opacity)).toBe('0');
    await next.locator('.msg-body').hover();
    expect(
      await settled(
        () => next.locator('.msg-time').evaluate((e) => getComputedStyle(e).opacity),
        (o) => o === '1',
      ),
    ).toBe('1');
    expect(await next.locator('.msg-time').getAttribute('title')).toMatch(/\d{4}/);
    // The name is still there for a screen reader, and the avatar is not read out.
    expect(await next.locator('.msg-author').textContent()).toContain('Ann Reader');
    expect(await first.locator('.msg-avatar').getAttribute('aria-hidden')).toBe('true');
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  });

  browserTest('a message pushed live joins its author’s group; someone else’s starts a new one', async () => {
    await sendMessage(annWin, 'live 1');
    await item(bobWin, 'live 1').waitFor();
    await annWin.locator('li.msg.mine[data-message-id]', { hasText: 'live 1' }).waitFor();
    expect(await continued(bobWin, 'live 1')).toBe(true);
    expect(await continued(annWin, 'live 1')).toBe(true);
    await sendMessage(bobWin, 'live 2');
    await item(annWin, 'live 2').waitFor();
    await bobWin.locator('li.msg.mine[data-message-id]', { hasText: 'live 2' }).waitFor();
    expect(await continued(annWin, 'live 2')).toBe(false);
    expect(await continued(bobWin, 'live 2')).toBe(false);
    expect(await separators(bobWin)).toEqual([expect.any(String), 'Yesterday', 'Today']);
  });

  browserTest('a message deleted in the middle of a group leaves the group whole', async () => {
    const res = await annClient.agent.delete(`/chat/messages/${ids.get('today 2')}`).set('X-CSRF-Token', annClient.csrf);
    expect(res.status).toBeLessThan(300);
    for (const win of [annWin, bobWin]) {
      const gone = deletedItem(win, 'today 2');
      await win.locator(`li.msg.deleted[data-message-id="${ids.get('today 2')}"]`).waitFor();
      expect(await gone.getAttribute('class')).toContain('continued');
      await expect(gone.locator('.msg-avatar').isVisible()).resolves.toBe(false);
      expect(await continued(win, 'today 1')).toBe(false);
      expect(await continued(win, 'today 3')).toBe(true);
    }
  });

  browserTest('older history loaded above joins the group and the day it belongs to', async () => {
    expect(await continued(bobWin, 'early 19')).toBe(false);
    await bobWin.getByRole('button', { name: 'Show older messages' }).click();
    await item(bobWin, 'early 1').waitFor();
    expect(await bobWin.locator('li.older').count()).toBe(0);
    expect(await continued(bobWin, 'early 1')).toBe(false);
    expect(await continued(bobWin, 'early 19')).toBe(true);
    const texts = await separators(bobWin);
    expect(texts).toEqual([twoDaysAgoHeading, 'Yesterday', 'Today']);
    // The day's heading moved up above its first message; none is left where the page used to begin.
    const firstRows = await bobWin.locator('ol.messages > li').evaluateAll((lis) => lis.slice(0, 2).map((li) => li.className));
    expect(firstRows[0]).toBe('day-separator');
    expect(firstRows[1]).toMatch(/\bmsg\b/);
  });

  browserTest('keeps groups right when messages arrive out of order, one of them in the middle of a group', async () => {
    const list = bobWin.locator('ol.messages');
    // The server's own fragments for two messages, as a late push or a catch-up brings them.
    const fragments = await list.evaluate(async (ol, groupId) => {
      const res = await fetch(`/chat/conversations/${groupId}/changes?since=0`, { headers: { 'HX-Request': 'true' } });
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const pick = (text: string) => Array.from(doc.querySelectorAll('li.msg')).find((li) => li.querySelector('.msg-body')?.textContent === text)!.outerHTML;
      return [pick('today 4'), pick('today 3')];
    }, groupId);
    for (const text of ['today 3', 'today 4']) await item(bobWin, text).evaluate((li) => li.remove());
    expect(await continued(bobWin, 'today 5')).toBe(false);
    for (const html of fragments) {
      await list.evaluate(
        (ol, text) => (window as unknown as { htmx: { swap: (o: object) => Promise<void> } }).htmx.swap({ text, target: ol, swap: 'chat-messages' }),
        html,
      );
    }
    await item(bobWin, 'today 3').waitFor();
    expect(await continued(bobWin, 'today 3')).toBe(true);
    expect(await continued(bobWin, 'today 4')).toBe(false);
    expect(await continued(bobWin, 'today 5')).toBe(false);
    expect(
      await bobWin
        .locator('li.msg .msg-body')
        .allInnerTexts()
        .then((t) => t.indexOf('today 3') < t.indexOf('today 4')),
    ).toBe(true);
  });

  browserTest('without JavaScript every message shows its own name, avatar and time, and nothing is in the way', async () => {
    const context = await h.browser.newContext({ baseURL: h.url, javaScriptEnabled: false, locale: 'en-US', viewport: { width: 1366, height: 860 } });
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('E-mail', { exact: true }).fill(bob.email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: `Welcome, ${bob.name}` }).waitFor();
      await page.goto(`/chat/conversations/${groupId}`);
      const main = page.locator('main');
      const next = main.locator('li.msg', { hasText: 'today 3' });
      await next.waitFor();
      expect(await next.getAttribute('class')).not.toContain('continued');
      await expect(next.locator('.msg-avatar').isVisible()).resolves.toBe(true);
      await expect(next.locator('.msg-author').isVisible()).resolves.toBe(true);
      await expect(next.locator('.msg-time').isVisible()).resolves.toBe(true);
      expect(await main.locator('li.day-separator').count()).toBe(0);
      await expect(main.locator('button.jump-latest').isVisible()).resolves.toBe(false);
      // The plain form still sends.
      await main.getByLabel('Message', { exact: true }).fill('sent without JavaScript');
      await main.getByRole('button', { name: 'Send', exact: true }).click();
      await main.locator('li.msg', { hasText: 'sent without JavaScript' }).waitFor();
      await item(annWin, 'sent without JavaScript').waitFor();
    } finally {
      await context.close();
    }
  });

  browserTest('on a touch screen reply and ⋮ show on the message tapped, not beside every bubble', async () => {
    const context = await h.browser.newContext({ baseURL: h.url, hasTouch: true, isMobile: true, locale: 'en-US', viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('E-mail', { exact: true }).fill(bob.email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: `Welcome, ${bob.name}` }).waitFor();
      await page.goto(`/chat/conversations/${groupId}`);
      await chatReady(page);
      const main = page.locator('main');
      const shown = (text: string) =>
        main
          .locator('li.msg', { has: page.locator('.msg-body', { hasText: new RegExp(`^${text}$`) }) })
          .locator('.msg-actions')
          .evaluate((e) => getComputedStyle(e).visibility === 'visible' && getComputedStyle(e).opacity === '1');
      await main.locator('li.day-separator').first().waitFor();
      expect(await shown('today 3')).toBe(false);
      expect(await shown('today 5')).toBe(false);
      await main.locator('li.msg .msg-body', { hasText: /^today 3$/ }).tap();
      expect(await shown('today 3')).toBe(true);
      expect(await shown('today 5')).toBe(false);
      await main.locator('li.msg .msg-body', { hasText: /^today 5$/ }).tap();
      expect(await shown('today 5')).toBe(true);
      expect(await shown('today 3')).toBe(false);
    } finally {
      await context.close();
    }
  });

  browserTest('counts new messages below while one reads further up, and jumps down to them', async () => {
    const list = bobWin.locator('ol.messages');
    const jump = bobWin.locator('button.jump-latest');
    await list.evaluate((ol) => (ol.scrollTop = ol.scrollHeight));
    await list.evaluate((ol) => (ol.scrollTop = 0));
    await expect(jump.isVisible()).resolves.toBe(false);
    await sendMessage(annWin, 'while Bob reads 1');
    await item(bobWin, 'while Bob reads 1').waitFor({ state: 'attached' });
    await jump.waitFor();
    expect(await jump.innerText()).toBe('1 new message');
    await sendMessage(annWin, 'while Bob reads 2');
    expect(
      await settled(
        () => jump.innerText(),
        (t) => t === '2 new messages',
      ),
    ).toBe('2 new messages');
    // Still up where Bob was reading.
    expect(await list.evaluate((ol) => ol.scrollTop)).toBeLessThan(50);
    // Told once, politely, that there is something below.
    expect(
      await settled(
        () => b.page.locator('#chat-announcer').innerText(),
        (t) => t.includes('New messages below'),
      ),
    ).toContain('New messages below');
    await jump.click();
    await jump.waitFor({ state: 'hidden' });
    expect(
      await settled(
        () => list.evaluate((ol) => ol.scrollHeight - ol.scrollTop - ol.clientHeight),
        (gap) => gap < 40,
      ),
    ).toBeLessThan(40);
    await expect(bobWin.getByLabel('Message', { exact: true }).evaluate((e) => e === document.activeElement)).resolves.toBe(true);
    // At the bottom, a new message scrolls into view and counts nothing.
    await sendMessage(annWin, 'while Bob is down here');
    await item(bobWin, 'while Bob is down here').waitFor();
    await b.page.waitForTimeout(300);
    await expect(jump.isVisible()).resolves.toBe(false);
    // Scrolling down by hand takes the count away too.
    await list.evaluate((ol) => (ol.scrollTop = 0));
    await sendMessage(annWin, 'one more');
    await jump.waitFor();
    await list.evaluate((ol) => (ol.scrollTop = ol.scrollHeight));
    await jump.waitFor({ state: 'hidden' });
  });

  browserTest('an integration’s message has its own bot avatar and never joins a member’s group', async () => {
    const token = await generateToken(annClient, groupId);
    const posted = await request(h.url).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send({ text: 'Order #7 paid', displayName: 'Shop' });
    expect(posted.status).toBeLessThan(300);
    await request(h.url).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send({ text: 'Order #8 paid', displayName: 'Shop' });
    await item(bobWin, 'Order #8 paid').waitFor();
    const bot = item(bobWin, 'Order #7 paid');
    expect(await continued(bobWin, 'Order #7 paid')).toBe(false);
    expect(await continued(bobWin, 'Order #8 paid')).toBe(true);
    expect(await bot.locator('.msg-avatar').getAttribute('class')).toContain('avatar-bot');
    await expect(bot.locator('.bot-mark').isVisible()).resolves.toBe(true);
    // A member's avatar is a circle, the bot's a rounded square: never the same shape.
    const radius = (li: Locator) => li.locator('.msg-avatar').evaluate((e) => getComputedStyle(e).borderRadius);
    expect(await radius(bot)).not.toBe(await radius(item(bobWin, 'today 1')));
    // Ann, writing right after it as herself, starts a group of her own.
    await sendMessage(annWin, 'after the bot');
    await item(bobWin, 'after the bot').waitFor();
    expect(await continued(bobWin, 'after the bot')).toBe(false);
  });

  browserTest('the conversation page passes axe, and looks right at 1366×860 (screenshots)', async () => {
    await mkdir(RESULTS_DIR, { recursive: true });
    for (const [user, name] of [
      [b, 'bob'],
      [a, 'ann'],
    ] as [BrowserUser, string][]) {
      const page: Page = user.page;
      await page.setViewportSize({ width: 1366, height: 860 });
      await page.goto(`/chat/conversations/${groupId}`);
      await chatReady(page);
      await page.locator('main li.day-separator').first().waitFor();
      await expectAccessible(page);
      await page.screenshot({ path: join(RESULTS_DIR, `readable-conversation-page--${name}.png`) });
    }
    await b.page.goto('/');
    await chatReady(b.page);
    const win = await openFromPanel(b.page, `c${groupId}`, 'Reading room');
    await win.locator('li.day-separator').first().waitFor();
    await item(win, 'today 3').hover();
    await expectAccessible(b.page);
    await b.page.screenshot({ path: join(RESULTS_DIR, 'readable-conversation-window--bob.png') });
    // Further up: the days' headings between Bob's and Ann's runs of messages.
    await item(win, 'yesterday 2').evaluate((li) => li.scrollIntoView({ block: 'center' }));
    await b.page.mouse.move(10, 10);
    await b.page.screenshot({ path: join(RESULTS_DIR, 'readable-conversation-days--bob.png') });

    // In Polish: the days in Polish, and the page still passes axe.
    await a.page.getByRole('button', { name: 'Polski', exact: true }).click();
    await a.page.locator('html[lang="pl"]').waitFor({ state: 'attached' });
    await a.page.goto(`/chat/conversations/${groupId}`);
    await chatReady(a.page);
    await a.page.locator('main li.day-separator').first().waitFor();
    const polishDay = new Intl.DateTimeFormat('pl-PL', { weekday: 'long', day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) }).format(
      twoDaysAgo,
    );
    expect(await a.page.locator('main li.day-separator').allInnerTexts()).toEqual([polishDay, 'Wczoraj', 'Dzisiaj']);
    await expectAccessible(a.page);
    await a.page.locator('main li.day-separator', { hasText: 'Wczoraj' }).evaluate((li) => li.scrollIntoView({ block: 'start' }));
    await a.page.screenshot({ path: join(RESULTS_DIR, 'readable-conversation-page-pl--ann.png') });
  });
});
