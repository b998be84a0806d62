import type { User } from '../../src/accounts/user.entity';
import { createCompany, createUser } from '../support/factories';
import { eventually } from '../support/livechat';
import { chatReady, signInToChat } from './chat-helpers';
import { browserTest, BrowserUser, describeBrowser, expectAccessible, Harness, openHarness } from './harness';
import { chooseStatus, website, Website } from './website';

describeBrowser('Livechat: a consultant hands a website visitor to a colleague', () => {
  let h: Harness;
  let anna: User;
  let bob: User;
  let director: User;
  let site: Website;
  let key: string;

  beforeAll(async () => {
    h = await openHarness({ LIVECHAT_SWEEP_MS: '300' });
    await createCompany(h.app.em(), { name: 'Operator', operator: true, plan: 'supreme' });
    const company = await createCompany(h.app.em(), { name: 'Acme', plan: 'professional', apiAddon: true });
    anna = await createUser(h.app.em(), company, { name: 'Anna First' });
    bob = await createUser(h.app.em(), company, { name: 'Bob Second' });
    director = await createUser(h.app.em(), company, { name: 'Dora Director', role: 'director' });
    await h.app.em().getConnection().execute(`update app_user set livechat_configured = true where id in (?, ?)`, [anna.id, bob.id]);
    key = `k${Date.now()}transferabcdefgh`;
    site = await website(`<script async src="${h.url}/livechat/${key}/loader.js"></script>`, {
      '/': { title: 'Acme shop', body: `<h1>Acme shop</h1><p><a href="/pricing">See our prices</a></p>` },
      '/pricing': { title: 'Pricing – Acme', body: `<h1>Pricing</h1><p>Everything costs 10 zł.</p>` },
    });
    await h.app
      .em()
      .getConnection()
      .execute(
        `insert into livechat_settings (company_id, public_key, enabled, title, origins, name_field, email_field)
         values (?, ?, true, 'Talk to Acme', ?::text[], 'required', 'optional')`,
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

  browserTest('the visitor chats with Anna, moves to another page (Anna sees it), is handed to Bob with a note, goes on with him and rates', async () => {
    const a = await signInToChat(h, anna, 'anna');
    await onDuty(a);
    const b = await signInToChat(h, bob, 'bob');
    await onDuty(b);

    const v = await h.newUser({ label: 'visitor' });
    await v.page.goto(`http://localhost:${site.port}/`);
    await v.page.getByRole('button', { name: 'Talk to Acme' }).click();
    const widget = v.page.frameLocator('iframe[title="Talk to Acme"]');
    await widget.getByLabel('Name').fill('Vera Visitor');
    await widget.getByLabel('Your message').fill('How much is shipping?');
    await widget.getByRole('button', { name: 'Start the chat' }).click();
    await widget.locator('#lc-log', { hasText: 'How much is shipping?' }).waitFor();

    // Anna (first in line: equal counts, neither had a chat) gets it, and sees which page the visitor is on.
    await a.page.locator('#livechat-section a', { hasText: 'Vera Visitor' }).click();
    await a.page.getByRole('heading', { level: 1, name: 'Livechat: Vera Visitor' }).waitFor();
    await chatReady(a.page);
    const details = a.page.locator('.lc-visitor');
    await details.getByRole('link', { name: 'Acme shop' }).waitFor();
    await expectAccessible(a.page);
    const answer = a.page.getByLabel('Your answer');
    await answer.fill('Shipping is free.');
    await answer.press('Enter');
    await widget.locator('.lc-msg.from-consultant', { hasText: 'Shipping is free.' }).waitFor();

    // The visitor follows a link on the shop: the page is a new one, the widget comes with it (hidden), and Anna's
    // page shows where the visitor is now without a reload.
    await v.page.getByRole('link', { name: 'See our prices' }).click();
    await v.page.waitForURL(`http://localhost:${site.port}/pricing`);
    await details.getByRole('link', { name: 'Pricing – Acme' }).waitFor({ timeout: 10000 });

    // Anna hands the chat to Bob with a note.
    await a.page.getByLabel('Consultant', { exact: true }).selectOption({ label: 'Bob Second (0 open)' });
    await a.page.getByLabel('A note for them (the visitor does not see it)').fill('Asked about shipping; may want a discount');
    await a.page.getByRole('button', { name: 'Transfer', exact: true }).click();
    await a.page.waitForURL(`${h.url}/`);
    await a.page.locator('#livechat-section', { hasText: 'No chats.' }).waitFor();

    // Bob's panel has it at once; he sees the note and the conversation so far.
    await b.page.locator('#livechat-section a', { hasText: 'Vera Visitor' }).click();
    await b.page.getByRole('heading', { level: 1, name: 'Livechat: Vera Visitor' }).waitFor();
    await chatReady(b.page);
    await b.page.getByText('Asked about shipping; may want a discount').waitFor();
    await b.page.getByText('Anna First transferred it to Bob Second').waitFor();
    await b.page.locator('.lc-log', { hasText: 'Shipping is free.' }).waitFor();
    await expectAccessible(b.page);

    // The visitor: one neutral line, never the note; and the chat goes on live both ways.
    await v.page.getByRole('button', { name: /Talk to Acme/ }).click();
    await widget.getByText('You are now talking to Bob Second.').waitFor({ timeout: 10000 });
    expect(await widget.getByText('may want a discount').count()).toBe(0);
    const reply = b.page.getByLabel('Your answer');
    await reply.fill('Bob here: 10% off today.');
    await reply.press('Enter');
    await widget.locator('.lc-msg.from-consultant', { hasText: 'Bob here: 10% off today.' }).waitFor({ timeout: 5000 });
    const box = widget.getByLabel('Your message');
    await box.fill('Deal!');
    await box.press('Enter');
    await b.page.locator('.lc-log .lc-msg.from-visitor', { hasText: 'Deal!' }).waitFor({ timeout: 5000 });

    // Bob ends it; the visitor rates it.
    await b.page.getByRole('button', { name: 'End the chat' }).click();
    await widget.getByText('The chat has ended.').waitFor({ timeout: 5000 });
    await widget.getByRole('radio', { name: '5' }).check();
    await widget.getByRole('button', { name: 'Send the rating' }).click();
    await widget.getByText('Thank you for your rating.').waitFor();

    // The director finds it among the Livechat conversations (from the gear) and reads its transcript.
    const d = await signInToChat(h, director, 'director');
    await d.page.locator('#panel-gear-button').click();
    await d.page.getByRole('menuitem', { name: 'Livechat conversations' }).click();
    await d.page.getByRole('heading', { level: 1, name: 'Livechat conversations' }).waitFor();
    await expectAccessible(d.page);
    await d.page.getByLabel('State').selectOption('closed');
    await d.page.getByLabel('Rating').selectOption('5');
    await d.page.getByRole('button', { name: 'Show' }).click();
    await d.page.waitForURL(/state=closed/);
    const row = d.page.locator('tr[data-chat]', { hasText: 'Vera Visitor' });
    await eventually(async () => expect(await d.page.locator('tr[data-chat]').count()).toBe(1));
    await row.getByRole('link').click();
    await d.page.getByRole('heading', { level: 1, name: 'Transcript: Vera Visitor' }).waitFor();
    for (const text of ['How much is shipping?', 'You are now talking to Bob Second.', 'Asked about shipping; may want a discount', 'Deal!', '5 of 5'])
      await d.page.getByText(text).first().waitFor();
    await expectAccessible(d.page);
  });

  browserTest('the conversations page and a transcript are accessible in Polish', async () => {
    const d = await signInToChat(h, director, 'director-pl');
    await h.app.em().getConnection().execute(`update app_user set locale = 'pl' where id = ?`, [director.id]);
    await d.page.goto('/livechat/conversations');
    await d.page.getByRole('heading', { level: 1, name: 'Konwersacje Livechat' }).waitFor();
    await expectAccessible(d.page);
    await d.page.locator('tr[data-chat] a').first().click();
    await d.page.getByRole('heading', { level: 1, name: /^Zapis rozmowy/ }).waitFor();
    await d.page.getByText('Teraz rozmawiasz z: Bob Second.').waitFor();
    await expectAccessible(d.page);
  });

  browserTest('a director gives a consultant’s open chat to the other one from its transcript, with a note', async () => {
    await h.app.em().getConnection().execute(`update app_user set locale = 'en' where id = ?`, [director.id]);
    const a = await signInToChat(h, anna, 'anna-again');
    await onDuty(a);
    const b = await signInToChat(h, bob, 'bob-again');
    await onDuty(b);
    const v = await h.newUser({ label: 'visitor-again' });
    await v.page.goto(`${h.url}/livechat/${key}/widget`);
    await v.page.getByLabel('Name').fill('Walt Waiting');
    await v.page.getByLabel('Your message').fill('Is my order on its way?');
    await v.page.getByRole('button', { name: 'Start the chat' }).click();
    await v.page.locator('#lc-log', { hasText: 'Is my order on its way?' }).waitFor();
    const [chat] = await h.app
      .em()
      .getConnection()
      .execute<{ id: number; consultant_id: number }[]>(`select id, consultant_id from livechat_chat where status <> 'closed' order by id desc limit 1`);
    const [holder, other] = chat.consultant_id === anna.id ? [a, b] : [b, a];
    const [holderName, otherName] = chat.consultant_id === anna.id ? ['Anna First', 'Bob Second'] : ['Bob Second', 'Anna First'];
    await holder.page.locator('#livechat-section a', { hasText: 'Walt Waiting' }).waitFor();

    const d = await signInToChat(h, director, 'director-again');
    await d.page.goto(`/livechat/conversations/${chat.id}`);
    await d.page.getByRole('heading', { level: 1, name: 'Transcript: Walt Waiting' }).waitFor();
    await expectAccessible(d.page);
    await d.page.getByLabel('Consultant', { exact: true }).selectOption({ label: `${otherName} (0 open)` });
    await d.page.getByLabel('A note for them (the visitor does not see it)').fill('Order 77 is delayed, say sorry');
    await d.page.getByRole('button', { name: 'Transfer', exact: true }).click();
    await d.page.getByText(`Dora Director moved it from ${holderName} to ${otherName}`).waitFor();
    await expectAccessible(d.page);
    // The one who takes it sees it at once with the note; the one who had it loses it; the visitor sees who now.
    await other.page.locator('#livechat-section a', { hasText: 'Walt Waiting' }).click();
    await other.page.getByText('Order 77 is delayed, say sorry').waitFor();
    await eventually(async () => expect(await holder.page.locator('#livechat-section a', { hasText: 'Walt Waiting' }).count()).toBe(0));
    await v.page.getByText(`You are now talking to ${otherName}.`).waitFor({ timeout: 10000 });
    expect(await v.page.getByText('Order 77').count()).toBe(0);
  });
});
