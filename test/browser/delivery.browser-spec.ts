import { Locator } from 'playwright-core';
import sharp from 'sharp';
import type { Socket } from 'socket.io';
import { User } from '../../src/accounts/user.entity';
import { RealtimeGateway } from '../../src/realtime/realtime.gateway';
import { userRoom } from '../../src/realtime/server-events';
import { LIMITS } from '../../src/security/limits.service';
import { createCompany, createUser } from '../support/factories';
import { browserTest, BrowserUser, describeBrowser, expectNoPageErrors, Harness, openHarness } from './harness';
import { openFromPanel, sendMessage, signInToChat as signIn } from './chat-helpers';

const bodies = (win: Locator) => win.locator('li.msg[data-message-id] .msg-body').allInnerTexts();

describeBrowser('messages delivered in order, after reconnects, with files, and within the limits', () => {
  let h: Harness;
  let ann: User;
  let bob: User;
  let a: BrowserUser;
  let b: BrowserUser;
  let annWin: Locator;
  let bobWin: Locator;

  beforeAll(async () => {
    h = await openHarness();
    const em = h.app.em();
    await createCompany(em, { operator: true });
    const company = await createCompany(em, { name: 'Delivery Ltd' });
    ann = await createUser(em, company, { name: 'Ann Delivery' });
    bob = await createUser(em, company, { name: 'Bob Delivery' });
    a = await signIn(h, ann, 'ann');
    b = await signIn(h, bob, 'bob');
    annWin = await openFromPanel(a.page, `u${bob.id}`, bob.name);
    bobWin = await openFromPanel(b.page, `u${ann.id}`, ann.name);
  });
  afterAll(() => h?.close());

  browserTest('shows twenty messages typed as fast as Enter goes in the order typed, for both people', async () => {
    const box = annWin.getByLabel('Message', { exact: true });
    await box.click();
    const typed = Array.from({ length: 20 }, (_, i) => `rapid ${i + 1}`);
    for (const text of typed) {
      await box.fill(text);
      await box.press('Enter');
    }
    await annWin.locator('li.msg.mine[data-message-id]', { hasText: 'rapid 20' }).waitFor();
    await bobWin.locator('li.msg.theirs', { hasText: 'rapid 20' }).waitFor();
    await annWin.locator('li.msg.pending').waitFor({ state: 'detached' });
    expect((await bodies(annWin)).slice(-20)).toEqual(typed);
    expect((await bodies(bobWin)).slice(-20)).toEqual(typed);
    // Stored in that order too: a reload shows the same.
    await b.page.reload();
    const reloaded = b.page.locator('section.chat-window', { has: b.page.getByRole('heading', { name: ann.name }) });
    await reloaded.locator('li.msg', { hasText: 'rapid 20' }).waitFor();
    expect((await bodies(reloaded)).slice(-20)).toEqual(typed);
    bobWin = reloaded;
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  });

  browserTest('catches up after a drop in a conversation where the one who dropped has replied', async () => {
    await sendMessage(annWin, 'To be corrected');
    await bobWin.locator('li.msg.theirs', { hasText: 'To be corrected' }).waitFor();
    await sendMessage(bobWin, 'My reply, before the drop');
    await bobWin.locator('li.msg.mine[data-message-id]', { hasText: 'My reply, before the drop' }).waitFor();
    await b.context.setOffline(true);
    const gateway = h.app.app.get(RealtimeGateway);
    for (const socket of await gateway.server.in(userRoom(bob.id)).fetchSockets()) (socket as unknown as Socket).conn.close();
    await b.page.locator('html[data-chat-socket="disconnected"]').waitFor({ state: 'attached' });

    await sendMessage(annWin, 'While Bob was away');
    await annWin.locator('li.msg.mine', { hasText: 'To be corrected' }).locator('.msg-body').click();
    const editBox = annWin.locator('textarea.edit-box');
    await editBox.fill('Corrected while Bob was away');
    await editBox.press('Enter');
    await annWin.locator('li.msg.mine', { hasText: 'corrected while Bob was away' }).waitFor();

    await b.context.setOffline(false);
    await bobWin.locator('li.msg.theirs .msg-body', { hasText: /^While Bob was away$/ }).waitFor({ timeout: 15_000 });
    await bobWin.locator('li.msg.theirs', { hasText: 'Corrected while Bob was away' }).locator('.edited').waitFor();
    expect(await bobWin.locator('li.msg.mine', { hasText: 'My reply, before the drop' }).count()).toBe(1);
    expectNoPageErrors(b);
  });

  browserTest('shows a file sent to the other side live, with its thumbnail, twenty times of twenty', async () => {
    const image = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 30, g: 140, b: 90 } } })
      .png()
      .toBuffer();
    for (let i = 1; i <= 20; i++) {
      await annWin.locator('input[data-attach]').setInputFiles({ name: `green-${i}.png`, mimeType: 'image/png', buffer: image });
      const arrived = bobWin.locator('li.msg.theirs').filter({ has: b.page.locator(`img[alt="green-${i}.png"]`) });
      await arrived.waitFor();
      // The thumbnail itself loads: never an empty bubble.
      await arrived.locator('img').evaluate((img: HTMLImageElement) =>
        img.complete && img.naturalWidth > 0 ? undefined : new Promise((resolve, reject) => ((img.onload = resolve), (img.onerror = reject))),
      );
      expect(await arrived.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    }
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  }, 120_000);

  browserTest('says "slow down" when the messages come faster than the limit, and keeps what was typed', async () => {
    const em = h.app.em();
    const company = await createCompany(em, { name: 'Hasty Ltd' });
    const hasty = await createUser(em, company, { name: 'Hasty Hank' });
    const calm = await createUser(em, company, { name: 'Calm Carla' });
    const hank = await signIn(h, hasty, 'hank');
    const win = await openFromPanel(hank.page, `u${calm.id}`, calm.name);
    const box = win.getByLabel('Message', { exact: true });
    const allowed = LIMITS.messages.rate.points + LIMITS.messages.burst.points;
    for (let i = 1; i <= allowed; i++) {
      await box.fill(`hurry ${i}`);
      await box.press('Enter');
    }
    await win.locator('li.msg.mine[data-message-id]', { hasText: `hurry ${allowed}` }).waitFor();
    await box.fill('one word too many');
    await box.press('Enter');
    await hank.page.locator('.composer-error', { hasText: 'You are sending messages too fast' }).waitFor();
    expect(await box.inputValue()).toBe('one word too many');
    expect(await win.locator('li.msg', { hasText: 'one word too many' }).count()).toBe(0);
    expectNoPageErrors(hank);
  });
});
