import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { User } from '../../src/accounts/user.entity';
import { createGroup } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { openFromPanel, sendMessage, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, Harness, openHarness } from './harness';

interface Call {
  headers: IncomingMessage['headers'];
  body: string;
}

/** Issue 21 as an integrator and the group's members see it: a named integration, its badge, its formatting, its webhook. */
describeBrowser('an integration in the browser: its name and badge, Markdown-lite, mentions and its webhook', () => {
  let h: Harness;
  let ann: User;
  let bob: User;
  let a: BrowserUser;
  let b: BrowserUser;
  let receiver: Server;
  let receiverUrl: string;
  const calls: Call[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        calls.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    h = await openHarness({ WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: 'true' });
    await createCompany(h.app.em(), { operator: true });
    const company = await createCompany(h.app.em(), { name: 'Integrated Co', apiAddon: true });
    ann = await createUser(h.app.em(), company, { name: 'Ann Admin', role: 'admin' });
    bob = await createUser(h.app.em(), company, { name: 'Bob Member' });
    a = await signInToChat(h, ann, 'ann');
    b = await signInToChat(h, bob, 'bob');
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  browserTest('a named integration posts formatted text that never passes for a member, mentions notify, and its webhook hears a member', async () => {
    const api = await signedIn(h.url, ann.email);
    const groupId = await createGroup(api, 'Orders', [bob.id]);
    await a.page.reload();
    const annWindow = await openFromPanel(a.page, `c${groupId}`, 'Orders');
    await annWindow.locator('.win-gear > summary').click();
    await annWindow.getByRole('menuitem', { name: 'API token' }).click();
    const dialog = a.page.locator('#chat-dialog');
    await dialog.getByLabel('Integration name').fill('Webshop');
    await dialog.getByRole('button', { name: 'Generate token' }).click();
    const token = await dialog.locator('#api-token-value').inputValue();
    // The dialog's example makes a new Idempotency-Key each run.
    await expect(dialog.locator('#api-token-example').inputValue()).resolves.toContain('Idempotency-Key: $(uuidgen)');
    // Its own picture, which its messages then show under a robot's head.
    const picture = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#e07a10' } })
      .png()
      .toBuffer();
    await dialog.getByLabel('Avatar (PNG, JPEG, WebP or GIF)').setInputFiles({ name: 'shop.png', mimeType: 'image/png', buffer: picture });
    await dialog.getByRole('button', { name: 'Upload avatar' }).click();
    await dialog.getByText('The avatar has been saved.').waitFor();
    await dialog.getByLabel('Webhook address (https://…)').fill(receiverUrl);
    await dialog.getByRole('button', { name: 'Save webhook' }).click();
    const secret = await dialog.getByLabel('Signing secret').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await expectAccessible(a.page);
    await a.page.keyboard.press('Escape');

    await b.page.reload();
    const bobWindow = await openFromPanel(b.page, `c${groupId}`, 'Orders');
    const before = Number((await b.page.locator('#unread-notifications [aria-hidden]').allInnerTexts())[0] ?? 0);
    const res = await fetch(`${h.url}/api/v1/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'order-1042' },
      // A display name that is a member's name: the badge and the integration's name still show.
      body: JSON.stringify({ text: 'Order **1042** _paid_: <https://shop.example/orders/1042|see the order> @Bob Member', displayName: 'Bob Member' }),
    });
    expect(res.status).toBe(201);
    const line = bobWindow.locator('li.msg', { hasText: 'see the order' });
    await line.waitFor();
    await expect(line.locator('.via-api').innerText()).resolves.toMatch(/Bob Member.*\(Webshop\).*API/s);
    await expect(line.getByRole('button', { name: 'Bob Member' }).count()).resolves.toBe(0);
    const avatar = line.locator('.avatar-bot img.avatar-image');
    await avatar.evaluate((img: HTMLImageElement) => (img.complete ? undefined : new Promise((resolve) => img.addEventListener('load', resolve))));
    await expect(avatar.evaluate((img: HTMLImageElement) => img.naturalWidth)).resolves.toBe(128);
    await line.locator('.avatar-bot .bot-mark').waitFor({ state: 'attached' });
    await expect(line.locator('strong').innerText()).resolves.toBe('1042');
    await expect(line.locator('em').innerText()).resolves.toBe('paid');
    const link = line.getByRole('link', { name: 'see the order' });
    await expect(link.getAttribute('href')).resolves.toBe('https://shop.example/orders/1042');
    await expect(line.innerHTML()).resolves.not.toContain('|see the order');
    // The mention reached Bob's bell.
    await b.page.locator('#unread-notifications', { hasText: `${before + 1} unread` }).waitFor({ state: 'attached' });

    // A member's message goes to the webhook, signed with the secret shown once.
    await sendMessage(bobWindow, 'Shipped today');
    const deadline = Date.now() + 10_000;
    while (!calls.some((c) => c.body.includes('Shipped today')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const call = calls.find((c) => c.body.includes('Shipped today'));
    expect(call).toBeDefined();
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(call!.headers['gwar-signature'])) ?? [];
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${call!.body}`).digest('hex'));
    // The administrator sees the delivery in the group's log.
    await annWindow.locator('.win-gear > summary').click();
    await annWindow.getByRole('menuitem', { name: 'API token' }).click();
    await dialog.getByRole('table', { name: 'Latest deliveries' }).getByRole('cell', { name: 'Delivered' }).first().waitFor();
    await a.page.keyboard.press('Escape');
  });
});
