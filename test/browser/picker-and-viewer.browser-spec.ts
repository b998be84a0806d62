import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { User } from '../../src/accounts/user.entity';
import { createCompany, createUser } from '../support/factories';
import { openFromPanel, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, expectNoPageErrors, Harness, openHarness, RESULTS_DIR } from './harness';

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Issue 19, point 7: the status picker reads as a list, and the full-screen image fills the screen without its × on it. */
describeBrowser('the status picker and the full-screen image', () => {
  let h: Harness;
  let ann: User;
  let bob: User;
  let a: BrowserUser;

  beforeAll(async () => {
    h = await openHarness({ FILES_DIR: await mkdtemp(join(tmpdir(), 'gwar-viewer-')) });
    const em = h.app.em();
    await createCompany(em, { operator: true });
    const company = await createCompany(em, { name: 'Pickers Ltd', apiAddon: true });
    ann = await createUser(em, company, { name: 'Ann Picker' });
    bob = await createUser(em, company, { name: 'Bob Picker' });
    // A consultant of both kinds: every status, with the longest names and the livechat and callback marks.
    await em.getConnection().execute('update app_user set livechat_configured = true, callback_configured = true where id = ?', [ann.id]);
    a = await signInToChat(h, ann, 'ann');
    await a.page.setViewportSize({ width: 1366, height: 860 });
  });
  afterAll(() => h?.close());

  for (const language of ['English', 'Polski']) {
    browserTest(`lists the statuses left-aligned, dots in one column, each name on one line (${language})`, async () => {
      const { page } = a;
      const switcher = page.getByRole('button', { name: language, exact: true });
      if ((await switcher.getAttribute('aria-pressed')) !== 'true') {
        await switcher.click();
        await page.locator(`html[lang="${language === 'Polski' ? 'pl' : 'en'}"]`).waitFor({ state: 'attached' });
      }
      await page.locator('#status-picker-button').click();
      const items = page.locator('#status-picker [role="menuitemradio"]');
      await items.first().waitFor();
      expect(await items.count()).toBe(7);
      const rows = await items.evaluateAll((buttons) =>
        buttons.map((b) => {
          const box = b.getBoundingClientRect();
          const dot = b.querySelector('.status-dot')!.getBoundingClientRect();
          const range = document.createRange();
          range.selectNodeContents(b);
          // The name: the button's last text, where it starts and how many lines it takes.
          const text = Array.from(b.childNodes)
            .filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim())
            .at(-1)!;
          range.selectNodeContents(text);
          const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
          return { left: box.left, dot: dot.left, text: range.getBoundingClientRect().left, lines, right: box.right, viewport: innerWidth };
        }),
      );
      for (const row of rows) {
        expect(row.left).toBeCloseTo(rows[0].left, 0);
        expect(row.dot).toBeCloseTo(rows[0].dot, 0);
        expect(row.text).toBeCloseTo(rows[0].text, 0);
        expect(row.lines).toBe(1);
        expect(row.right).toBeLessThanOrEqual(row.viewport);
      }
      await expectAccessible(page);
      await page.screenshot({ path: join(RESULTS_DIR, `status-picker--${language === 'Polski' ? 'pl' : 'en'}.png`) });
      await page.keyboard.press('Escape');
    });
  }

  browserTest('shows a small image as large as the screen allows, its proportions kept, the × off the picture, Esc closing', async () => {
    const { page } = a;
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    const win = await openFromPanel(page, `u${bob.id}`, bob.name);
    const image = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 60, b: 20 } } })
      .png()
      .toBuffer();
    await win.locator('input[data-attach]').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: image });
    const link = win.locator('a[data-fullscreen]', { has: page.locator('img[alt="tiny.png"]') });
    await link.waitFor();
    await link.click();
    const viewer = page.locator('dialog.image-viewer[open]');
    await viewer.waitFor();
    const full = viewer.locator('img');
    await full.evaluate((img: HTMLImageElement) => (img.complete && img.naturalWidth ? undefined : new Promise((r) => (img.onload = r))));
    // Where the picture is painted inside its box (object-fit: contain).
    const painted = await full.evaluate((img: HTMLImageElement) => {
      const box = img.getBoundingClientRect();
      const scale = Math.min(box.width / img.naturalWidth, box.height / img.naturalHeight);
      const width = img.naturalWidth * scale;
      const height = img.naturalHeight * scale;
      return { x: box.left + (box.width - width) / 2, y: box.top + (box.height - height) / 2, width, height };
    });
    // Scaled up to fill the screen one way (860 high, less the margins), never past it.
    expect(painted.height).toBeGreaterThan(700);
    expect(painted.height).toBeLessThanOrEqual(860);
    expect(painted.width).toBeLessThanOrEqual(1366);
    expect(painted.width / painted.height).toBeCloseTo(40 / 30, 2);
    const close = await viewer.getByRole('button', { name: 'Close the image' }).boundingBox();
    expect(close).not.toBeNull();
    expect(overlaps(close!, painted)).toBe(false);
    await expectAccessible(page);
    await page.screenshot({ path: join(RESULTS_DIR, 'image-viewer--small-image-scaled.png') });
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    expectNoPageErrors(a);
  });
});
