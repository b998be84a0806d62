import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { LivechatCast } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';
import { callbackCompany, postCallback, requestRows } from './support';

/** The admin's Callback settings, the queue as a page without JavaScript, and the CRM forms a card prefills. */
describe('Callback settings and pages', () => {
  let t: TestApp;
  const cast = new LivechatCast(() => t);
  beforeAll(async () => {
    t = await startTestApp({ CALLBACK_SWEEP_MS: '100' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    cast.close();
    await t.close();
  });

  it('lets the company admin turn Callback on and set it; a bad form comes back with its messages and what was typed', async () => {
    const { company } = await callbackCompany(t);
    const admin = await createUser(t.em(), company, { role: 'admin', name: 'Ada Admin' });
    const client = await signedIn(t.url, admin.email);
    const page = await client.load('/callback/settings');
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="PL"');
    const form = {
      enabled: 'on',
      defaultCountry: 'XX',
      slaMinutes: '0',
      retryMinutes: '5',
      maxAttempts: '3',
      claimMinutes: '10',
      timeZone: 'Mars/Olympus',
      workDays: ['1', '2'] as unknown as string,
      workStart: '09:00',
      workEnd: '25:00',
      dailyLimit: '100',
      challengeAfter: '5',
    };
    const bad = await client.post('/callback/settings', form);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter a two-letter country code');
    expect(bad.text).toContain('Enter a time zone like Europe/Warsaw');
    expect(bad.text).toContain('Enter a time as HH:MM');
    expect(bad.text).toContain('value="Mars/Olympus"');
    const late = await client.post('/callback/settings', { ...form, defaultCountry: 'de', slaMinutes: '20', timeZone: 'Europe/Berlin', workEnd: '08:00' });
    expect(late.text).toContain('The end must come after the start.');
    const ok = await client.post('/callback/settings', { ...form, defaultCountry: 'de', slaMinutes: '20', timeZone: 'Europe/Berlin', workEnd: '17:00' });
    expect(ok.status).toBe(303);
    const [row] = await t
      .em()
      .getConnection()
      .execute<{ default_country: string; sla_minutes: number; retry_seconds: number; work_days: number[] }[]>(
        `select default_country, sla_minutes, retry_seconds, work_days from callback_settings where company_id = ?`,
        [company.id],
      );
    expect(row).toEqual({ default_country: 'DE', sla_minutes: 20, retry_seconds: 300, work_days: [1, 2] });
    // German numbers are now read as German.
    expect(
      (
        await postCallback(
          t,
          (await t.em().getConnection().execute<{ public_key: string }[]>(`select public_key from livechat_settings where company_id = ?`, [company.id]))[0]
            .public_key,
          { phone: '030 901820' },
        )
      ).body.phone,
    ).toBe('+4930901820');
  });

  it('keeps the settings to the company admin of a plan with the API add-on', async () => {
    const { company } = await callbackCompany(t);
    const user = await createUser(t.em(), company, { name: 'Uma User' });
    expect((await (await signedIn(t.url, user.email)).load('/callback/settings')).status).toBe(403);
    const plain = await createCompany(t.em(), { plan: 'professional', apiAddon: false });
    const admin = await createUser(t.em(), plain, { role: 'admin' });
    const client = await signedIn(t.url, admin.email);
    expect((await client.load('/callback/settings')).status).toBe(403);
    expect((await client.post('/callback/settings', { enabled: 'on' })).status).toBe(403);
  });

  it('works without JavaScript: the queue page claims and records the outcome with plain forms; a card prefills CRM forms', async () => {
    const { company, key } = await callbackCompany(t);
    const anna = await cast.consultant(company, 'callback', 'Anna Plain');
    const { body } = await postCallback(t, key, { phone: '600 100 200', name: 'Jan Kowalski', topic: 'Invoice 7' });
    const queue = await anna.client.load('/callback');
    expect(queue.status).toBe(200);
    expect(queue.text.match(/id="callback-section"/g)).toHaveLength(1);
    expect(queue.text).toContain('href="tel:+48600100200"');
    const claimed = await anna.client.post(`/callback/requests/${body.id}/claim`, {});
    expect(claimed.status).toBe(303);
    expect(claimed.headers.location).toBe('/callback');
    const mine = await anna.client.load('/callback');
    expect(mine.text).toContain('You are calling');
    const company_ = /href="(\/crm\/companies\/new\?[^"]+)"/.exec(mine.text)![1].replace(/&amp;/g, '&');
    const task = /href="(\/crm\/tasks\/new\?[^"]+)"/.exec(mine.text)![1].replace(/&amp;/g, '&');
    const companyForm = await anna.client.load(company_);
    expect(companyForm.text).toContain('value="Jan Kowalski"');
    expect(companyForm.text).toContain('value="+48600100200"');
    const taskForm = await anna.client.load(task);
    expect(taskForm.text).toContain('Call back +48600100200 Jan Kowalski');
    expect(taskForm.text).toContain('Invoice 7');
    expect((await anna.client.post(`/callback/requests/${body.id}/outcome`, { outcome: 'done', note: 'Sorted' })).status).toBe(303);
    expect((await requestRows(t, company.id))[0].status).toBe('done');
  });
});
