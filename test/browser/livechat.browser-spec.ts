import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Company } from '../../src/accounts/company.entity';
import type { User } from '../../src/accounts/user.entity';
import { createCompany, createUser } from '../support/factories';
import { eventually } from '../support/livechat';
import { chatReady, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, expectNoPageErrors, Harness, openHarness } from './harness';
import { chooseStatus, website, Website } from './website';

describeBrowser('Livechat: a website’s visitor chats with a consultant, in two browsers', () => {
  let h: Harness;
  let company: Company;
  let anna: User;
  let site: Website;
  let key: string;

  beforeAll(async () => {
    h = await openHarness({ LIVECHAT_SWEEP_MS: '300' });
    await createCompany(h.app.em(), { name: 'Operator', operator: true, plan: 'supreme' });
    company = await createCompany(h.app.em(), { name: 'Acme', plan: 'professional', apiAddon: true });
    anna = await createUser(h.app.em(), company, { name: 'Anna Consultant' });
    await h.app.em().getConnection().execute(`update app_user set livechat_configured = true where id = ?`, [anna.id]);
    key = `k${Date.now()}abcdefghijklmnop`;
    site = await website(`<script async src="${h.url}/livechat/${key}/loader.js"></script>`);
    await h.app
      .em()
      .getConnection()
      .execute(
        `insert into livechat_settings (company_id, public_key, enabled, title, greeting, origins, name_field, email_field)
         values (?, ?, true, 'Talk to Acme', 'Hello! Ask us anything.', ?::text[], 'required', 'optional')`,
        [company.id, key, `{http://localhost:${site.port}}`],
      );
  });
  afterAll(async () => {
    site?.server.close();
    await h?.close();
  });

  async function onDuty(person: BrowserUser): Promise<void> {
    await chooseStatus(person.page, 'livechat');
    await person.page.locator('#livechat-section', { hasText: 'No chats.' }).waitFor();
  }

  browserTest('the snippet on another origin opens the widget, and visitor and consultant chat live both ways', async () => {
    const a = await signInToChat(h, anna, 'anna');
    await onDuty(a);

    const v = await h.newUser({ label: 'visitor' });
    const transferred: { url: string; bytes: Promise<number> }[] = [];
    v.page.on('requestfinished', (request) => {
      if (request.url().startsWith(h.url))
        transferred.push({ url: request.url(), bytes: request.sizes().then((s) => s.responseBodySize + s.responseHeadersSize) });
    });
    await v.page.goto(`http://localhost:${site.port}/`);
    const launcher = v.page.getByRole('button', { name: 'Talk to Acme' });
    await launcher.waitFor();
    const loaderBytes = await Promise.all(transferred.map((t) => t.bytes));
    transferred.length = 0;
    await launcher.click();
    await v.page.waitForLoadState('networkidle');
    const widget = v.page.frameLocator('iframe[title="Talk to Acme"]');
    await widget.getByText('Hello! Ask us anything.').waitFor();
    const openBytes = (await Promise.all(transferred.map((t) => t.bytes))).reduce((a, b) => a + b, 0);
    console.log(`livechat in the browser: loader ${loaderBytes.reduce((x, y) => x + y, 0)} B, first open ${openBytes} B (${transferred.length} requests)`);
    expect(openBytes).toBeLessThanOrEqual(60 * 1024);

    // A required name, left empty: the form says so and keeps the message typed.
    await widget.getByLabel('Your message').fill('Do you ship to Kraków?');
    await widget.getByRole('button', { name: 'Start the chat' }).click();
    await widget.getByText('This field is required.').waitFor();
    expect(await widget.getByLabel('Your message').inputValue()).toBe('Do you ship to Kraków?');
    await widget.getByLabel('Name').fill('Vera Visitor');
    await widget.getByRole('button', { name: 'Start the chat' }).click();
    await widget.locator('#lc-log', { hasText: 'Do you ship to Kraków?' }).waitFor();

    // Anna sees it at once in her panel, opens it and answers; the answer reaches the widget live.
    const entry = a.page.locator('#livechat-section a', { hasText: 'Vera Visitor' });
    await entry.waitFor({ timeout: 5000 });
    await entry.click();
    await a.page.getByRole('heading', { level: 1, name: 'Livechat: Vera Visitor' }).waitFor();
    await chatReady(a.page);
    const answer = a.page.getByLabel('Your answer');
    await answer.fill('Yes, we do!');
    await answer.press('Enter');
    await widget.locator('.lc-msg.from-consultant', { hasText: 'Yes, we do!' }).waitFor({ timeout: 5000 });
    await eventually(async () => expect(await widget.locator('#lc-announce').textContent()).toContain('New message from Anna Consultant: Yes, we do!'));

    // And back: the visitor writes with Enter, Anna's open page shows it without a reload.
    const box = widget.getByLabel('Your message');
    await box.fill('Great, thanks');
    await box.press('Enter');
    await a.page.locator('.lc-log .lc-msg.from-visitor', { hasText: 'Great, thanks' }).waitFor({ timeout: 5000 });
    await expectAccessible(a.page);

    // The visitor sends a picture from the widget: its thumbnail shows there (fetched with the visitor's token),
    // and Anna's page shows it too and opens it.
    const picture = await sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .png()
      .toBuffer();
    await widget.locator('#lc-attach').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: picture });
    await widget.locator('.lc-msg.from-visitor img[src^="blob:"]').waitFor({ timeout: 5000 });
    const sentFile = a.page.locator('.lc-log a[data-lc-file]', { hasText: 'receipt.png' });
    await sentFile.waitFor({ timeout: 5000 });
    const [opened] = await Promise.all([a.page.waitForEvent('download'), sentFile.click()]);
    expect(Buffer.compare(await readFile((await opened.path())!), picture)).toBe(0);
    await expectAccessible(a.page);

    // The visitor keeps the conversation: the transcript downloads, as text.
    const [transcript] = await Promise.all([v.page.waitForEvent('download'), widget.getByRole('link', { name: 'as text' }).click()]);
    const kept = await readFile((await transcript.path())!, 'utf8');
    expect(kept).toMatch(/Do you ship to Kraków\?[\s\S]*Yes, we do![\s\S]*Great, thanks[\s\S]*\[file: receipt\.png\]/);
    // The website with the open widget (axe reads into the frame), and no CSP refusal or error in it.
    await expectAccessible(v.page);
    expectNoPageErrors(v);

    // The visitor's network drops; what Anna writes meanwhile arrives once it is back.
    await v.context.setOffline(true);
    await answer.fill('Written while you were away');
    await answer.press('Enter');
    await a.page.locator('.lc-log .lc-msg', { hasText: 'Written while you were away' }).waitFor();
    await v.page.waitForTimeout(1000);
    expect(await widget.locator('.lc-msg', { hasText: 'Written while you were away' }).count()).toBe(0);
    await v.context.setOffline(false);
    await widget.locator('.lc-msg.from-consultant', { hasText: 'Written while you were away' }).waitFor({ timeout: 20000 });

    // Minimised, a consultant's message shows as an unread count on the launcher.
    await widget.getByRole('button', { name: 'Minimise the chat' }).click();
    await answer.fill('Anything else?');
    await answer.press('Enter');
    await v.page.getByRole('button', { name: 'Talk to Acme (1 unread)' }).waitFor({ timeout: 5000 });
    // Reloaded, the widget comes back to the same chat: this browser refuses the cross-site frame any storage,
    // so the loader kept the token in the website's storage for it.
    await v.page.reload();
    await v.page.getByRole('button', { name: 'Talk to Acme' }).click();
    await widget.locator('#lc-log', { hasText: 'Anything else?' }).waitFor();

    // Anna ends the chat: the widget says so and asks for a rating, which the visitor gives with the keyboard.
    await a.page.getByRole('button', { name: 'End the chat' }).click();
    await a.page.waitForURL(`${h.url}/`);
    await widget.getByText('The chat has ended.').waitFor({ timeout: 5000 });
    expect(await widget.locator('[data-lc-send]').isHidden()).toBe(true);
    const first = widget.getByRole('radio', { name: '1' });
    await first.focus();
    for (let i = 0; i < 3; i++) await v.page.keyboard.press('ArrowRight');
    expect(await widget.getByRole('radio', { name: '4' }).isChecked()).toBe(true);
    await widget.getByLabel('A comment (optional)').fill('Quick and kind');
    await widget.getByRole('button', { name: 'Send the rating' }).press('Enter');
    await widget.getByText('Thank you for your rating.').waitFor();
    const [row] = await h.app.em().getConnection().execute(`select rating, rating_comment from livechat_chat where company_id = ?`, [company.id]);
    expect(row).toEqual({ rating: 4, rating_comment: 'Quick and kind' });
  });

  browserTest('a second visitor finds nobody on duty and leaves a phone number on the offline form', async () => {
    // Another company's widget on its own website, with nobody on duty.
    const quiet = await createCompany(h.app.em(), { name: 'Quiet', plan: 'professional', apiAddon: true });
    const quietKey = `q${Date.now()}abcdefghijklmnop`;
    const quietSite = await website(`<script async src="${h.url}/livechat/${quietKey}/loader.js"></script>`);
    try {
      await h.app
        .em()
        .getConnection()
        .execute(
          `insert into livechat_settings (company_id, public_key, enabled, title, offline_text, origins) values (?, ?, true, 'Quiet help', 'We are away: leave us your number.', ?::text[])`,
          [quiet.id, quietKey, `{http://localhost:${quietSite.port}}`],
        );
      const v = await h.newUser({ label: 'second-visitor' });
      await v.page.goto(`http://localhost:${quietSite.port}/`);
      await v.page.getByRole('button', { name: 'Quiet help' }).click();
      const widget = v.page.frameLocator('iframe[title="Quiet help"]');
      await widget.getByText('We are away: leave us your number.').waitFor();
      await widget.getByLabel('Name').fill('Piotr');
      await widget.getByLabel('Phone').fill('+48 601 202 303');
      await widget.getByLabel('Your message').fill('Please call me about an order');
      await widget.getByRole('button', { name: 'Leave a message' }).click();
      await widget.getByText('Thank you: your message was left for us.').waitFor();
      const [row] = await h.app.em().getConnection().execute(`select name, phone, body from livechat_left_message where company_id = ?`, [quiet.id]);
      expect(row).toEqual({ name: 'Piotr', phone: '+48 601 202 303', body: 'Please call me about an order' });
    } finally {
      quietSite.server.close();
    }
  });

  browserTest('a website that signs its visitor’s e-mail in the snippet gets them verified; a forged one does not', async () => {
    const secret = 'a'.repeat(64);
    await h.app.em().getConnection().execute(`update livechat_settings set identity_secret = ? where company_id = ?`, [secret, company.id]);
    const sign = (email: string) => createHmac('sha256', secret).update(email).digest('hex');
    const signed = await website(
      `<script async src="${h.url}/livechat/${key}/loader.js" data-email="kim@example.com" data-hmac="${sign('kim@example.com')}"></script>`,
    );
    const forged = await website(
      `<script async src="${h.url}/livechat/${key}/loader.js" data-email="boss@example.com" data-hmac="${sign('kim@example.com')}"></script>`,
    );
    try {
      await h.app
        .em()
        .getConnection()
        .execute(`update livechat_settings set origins = origins || ?::text[] where company_id = ?`, [
          `{http://localhost:${signed.port},http://localhost:${forged.port}}`,
          company.id,
        ]);
      for (const [site2, name] of [
        [signed, 'Kim'],
        [forged, 'Mallory'],
      ] as const) {
        const v = await h.newUser({ label: `identity-${name}` });
        await v.page.goto(`http://localhost:${site2.port}/`);
        await v.page.getByRole('button', { name: 'Talk to Acme' }).click();
        const widget = v.page.frameLocator('iframe[title="Talk to Acme"]');
        await widget.getByLabel('Name').fill(name);
        await widget.getByLabel('Your message').fill(`Hello, I am ${name}`);
        await widget.getByRole('button', { name: /Start the chat|Leave a message/ }).click();
        await widget.getByText(`Hello, I am ${name}`).waitFor();
      }
      const rows = await h.app
        .em()
        .getConnection()
        .execute(`select name, email, verified from livechat_visitor where company_id = ? and name in ('Kim', 'Mallory') order by name`, [company.id]);
      expect(rows).toEqual([
        { name: 'Kim', email: 'kim@example.com', verified: true },
        { name: 'Mallory', email: null, verified: false },
      ]);
    } finally {
      signed.server.close();
      forged.server.close();
    }
  });

  browserTest('the widget is accessible, in Polish for a Polish browser', async () => {
    const pl = await h.newUser({ label: 'polish-visitor', locale: 'pl-PL' });
    await pl.page.goto(`${h.url}/livechat/${key}/widget`);
    await pl.page.getByRole('heading', { level: 1, name: 'Talk to Acme' }).waitFor();
    await pl.page.locator('.lc-start, .lc-offline').first().waitFor();
    expect(await pl.page.locator('html').getAttribute('lang')).toBe('pl');
    await pl.page.getByRole('button', { name: /Rozpocznij czat|Zostaw wiadomość/ }).waitFor();
    await expectAccessible(pl.page);
  });

  browserTest('the admin’s settings page is accessible, and its test page shows the widget', async () => {
    const admin = await createUser(h.app.em(), company, { name: 'Adam Admin', role: 'admin' });
    const a = await signInToChat(h, admin, 'admin');
    await a.page.getByRole('link', { name: 'Livechat', exact: true }).click();
    await a.page.getByRole('heading', { level: 1, name: 'Livechat' }).waitFor();
    await expectAccessible(a.page);
    // A bad colour comes back with the message and the text as typed.
    await a.page.getByLabel('Colour').fill('blue');
    await a.page.getByRole('button', { name: 'Save' }).click();
    await a.page.getByText('Enter a colour as # and six hex digits').waitFor();
    expect(await a.page.getByLabel('Colour').inputValue()).toBe('blue');
    await a.page.getByRole('link', { name: 'Try the widget' }).click();
    await a.page.getByRole('button', { name: 'Talk to Acme' }).click();
    await a.page.frameLocator('iframe[title="Talk to Acme"]').getByRole('heading', { level: 1, name: 'Talk to Acme' }).waitFor();
  });

  browserTest('a website not in the list cannot frame the widget', async () => {
    const other = await h.newUser({ label: 'elsewhere' });
    // The same page from 127.0.0.1: another origin than the listed localhost.
    await other.page.goto(`http://127.0.0.1:${site.port}/`);
    await other.page.getByRole('button', { name: 'Talk to Acme' }).click();
    const frame = other.page.frameLocator('iframe[title="Talk to Acme"]');
    await eventually(() => expect(other.errors.join('\n')).toMatch(/frame-ancestors/));
    expect(await frame.locator('#lc').count()).toBe(0);
  });
});
