import { createCompany } from '../support/factories';
import { LivechatCast } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';
import { callbackCompany, postCallback, requestRows } from './support';

/** "I am calling" from 20 consultants at once: exactly one wins, every time, and every page learns who. */
describe('Callback claim race', () => {
  let t: TestApp;
  const cast = new LivechatCast(() => t);
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'false' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    cast.close();
    await t.close();
  });

  it('lets exactly one of 20 consultants claiming one card at once win, 20 times of 20, and shows every page who won', async () => {
    const { key, company } = await callbackCompany(t);
    const consultants = [];
    for (let i = 0; i < 20; i++)
      consultants.push(await cast.consultant(company, i % 2 ? 'callback' : 'livechat-callback', `Caller ${String(i).padStart(2, '0')}`));
    const toCard: number[] = [];
    let won = 0;
    for (let round = 0; round < 20; round++) {
      const sent = Date.now();
      const made = await postCallback(t, key, { phone: `600 200 ${String(100 + round)}` });
      expect(made.status).toBe(201);
      const card = new RegExp(`id="cb-card-${made.body.id}"`);
      // Time from the request to its card on each consultant's page (reported, not asserted).
      await Promise.all(consultants.map(async (c) => (await c.page.waitFor(card, 5000), toCard.push(Date.now() - sent))));
      const answers = await Promise.all(consultants.map((c) => c.client.post(`/callback/requests/${made.body.id}/claim`, {}, { htmx: true })));
      const winners = answers.map((a, i) => (a.status === 200 ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409)).toHaveLength(19);
      const winner = consultants[winners[0]];
      const row = (await requestRows(t, company.id)).find((r) => r.id === made.body.id)!;
      expect(row).toMatchObject({ status: 'calling', consultant_id: winner.user.id });
      // Every other page is told who is calling.
      const claimed = new RegExp(`id="cb-card-${made.body.id}"[^]*?${winner.user.name} is calling`);
      await Promise.all(consultants.filter((c) => c !== winner).map((c) => c.page.waitFor(claimed, 5000)));
      await winner.client.post(`/callback/requests/${made.body.id}/outcome`, { outcome: 'done' }, { htmx: true });
      won++;
    }
    expect(won).toBe(20);
    toCard.sort((a, b) => a - b);
    const pct = (p: number) => toCard[Math.min(toCard.length - 1, Math.floor((p / 100) * toCard.length))];
    console.log(
      `claim race: 20 rounds × 20 consultants, exactly one winner in 20 of 20; request → card on a consultant's page: p50 ${pct(50)} ms, p99 ${pct(99)} ms (${toCard.length} pages)`,
    );
  }, 120_000);
});
