import sharp from 'sharp';
import { User } from '../../src/accounts/user.entity';
import { createGroup } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { openFromPanel, sendMessage, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, Harness, openHarness } from './harness';

describeBrowser('presence, files, group API tokens and CRM links in two browsers', () => {
  let h: Harness;
  let ann: User;
  let bob: User;
  let a: BrowserUser;
  let b: BrowserUser;

  beforeAll(async () => {
    h = await openHarness({ PRESENCE_GRACE_MS: '500' });
    await createCompany(h.app.em(), { operator: true });
    const company = await createCompany(h.app.em(), { name: 'Feature Co', apiAddon: true });
    ann = await createUser(h.app.em(), company, { name: 'Ann Admin', role: 'admin' });
    bob = await createUser(h.app.em(), company, { name: 'Bob Member' });
    a = await signInToChat(h, ann, 'ann');
    b = await signInToChat(h, bob, 'bob');
  });
  afterAll(() => h?.close());

  browserTest('one user’s status change is seen by the other within a second', async () => {
    const dot = b.page.locator(`#presence-${ann.id}`);
    await dot.and(b.page.locator('.shown-available')).waitFor();
    await a.page.locator('#status-picker > summary').click();
    const started = Date.now();
    await a.page.getByRole('menuitemradio', { name: 'Busy' }).click();
    await dot.and(b.page.locator('.shown-busy')).waitFor({ timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
    await a.page.locator('#status-picker > summary').click();
    await a.page.getByRole('menuitemradio', { name: 'Online' }).click();
    await dot.and(b.page.locator('.shown-available')).waitFor({ timeout: 1000 });
  });

  browserTest('a file dropped on a person in the panel reaches them live as a thumbnail that opens full screen', async () => {
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer();
    const bobWindow = await openFromPanel(b.page, `u${ann.id}`, ann.name);
    const transfer = await a.page.evaluateHandle((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'blue.png', { type: 'image/png' }));
      return data;
    }, png.toString('base64'));
    const entry = a.page.locator(`#entry-u${bob.id}`);
    await entry.dispatchEvent('dragenter', { dataTransfer: transfer });
    await entry.dispatchEvent('dragover', { dataTransfer: transfer });
    await expect(entry.evaluate((e) => e.classList.contains('drop-target'))).resolves.toBe(true);
    await entry.dispatchEvent('drop', { dataTransfer: transfer });
    const thumb = bobWindow.locator('.attachment-image img[alt="blue.png"]');
    await thumb.waitFor();
    await expect(thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).resolves.toBe(true);
    await thumb.click();
    const viewer = b.page.locator('dialog.image-viewer[open] img');
    await viewer.waitFor();
    await expect(viewer.evaluate((img: HTMLImageElement) => img.naturalWidth)).resolves.toBe(640);
    await b.page.keyboard.press('Escape');
  });

  browserTest('an administrator generates a group token, a request posts with it, and a member sees it live', async () => {
    const api = await signedIn(h.url, ann.email);
    const groupId = await createGroup(api, 'Webshop', [bob.id]);
    await a.page.reload();
    const annWindow = await openFromPanel(a.page, `c${groupId}`, 'Webshop');
    await annWindow.locator('.win-gear > summary').click();
    await annWindow.getByRole('menuitem', { name: 'API token' }).click();
    const dialog = a.page.locator('#chat-dialog');
    await dialog.getByRole('button', { name: 'Generate token' }).click();
    const token = await dialog.locator('#api-token-value').inputValue();
    expect(token).toMatch(/^gwar_/);
    await expectAccessible(a.page);
    await a.page.keyboard.press('Escape');

    await b.page.reload();
    const bobWindow = await openFromPanel(b.page, `c${groupId}`, 'Webshop');
    const res = await fetch(`${h.url}/api/v1/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'Order #77 paid', displayName: 'Shop' }),
    });
    expect(res.status).toBe(201);
    const line = bobWindow.locator('li.msg', { hasText: 'Order #77 paid' });
    await line.waitFor();
    await expect(line.locator('.via-api').innerText()).resolves.toContain('Shop');
  });

  browserTest('a task made from a message, linked in another conversation, changes there live', async () => {
    const api = await signedIn(h.url, bob.email);
    const groupId = await createGroup(api, 'Follow-ups', [ann.id]);
    await a.page.reload();
    const annDirect = await openFromPanel(a.page, `u${bob.id}`, bob.name);
    await b.page.reload();
    const bobDirect = await openFromPanel(b.page, `u${ann.id}`, ann.name);
    await sendMessage(bobDirect, 'Telefon do klienta Acme');
    const message = annDirect.locator('li.msg.theirs', { hasText: 'Telefon do klienta Acme' });
    await message.waitFor();
    await message.click({ button: 'right' });
    await a.page.getByRole('menuitem', { name: 'Add task' }).click();
    await a.page.getByLabel('Name').waitFor();
    await expect(a.page.getByLabel('Name').inputValue()).resolves.toBe('Telefon do klienta Acme');
    await a.page.getByRole('button', { name: 'Save' }).click();
    await a.page.getByRole('heading', { level: 1, name: 'Telefon do klienta Acme' }).waitFor();
    const taskUrl = a.page.url();

    const bobGroup = await openFromPanel(b.page, `c${groupId}`, 'Follow-ups');
    await sendMessage(bobGroup, `Status? ${taskUrl}`);
    const link = bobGroup.locator('.object-link');
    await link.waitFor();
    await expect(link.innerText()).resolves.toContain('“Telefon do klienta Acme” — new');

    await a.page.goto(`${taskUrl}/edit`);
    await a.page.locator('select#f-status').selectOption('in_progress');
    await a.page.getByRole('button', { name: 'Save' }).click();
    await a.page.getByRole('heading', { level: 1 }).waitFor();
    await bobGroup.locator('.object-link', { hasText: 'in progress' }).waitFor({ timeout: 3000 });
  });
});
