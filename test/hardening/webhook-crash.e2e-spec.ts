import { WebhookDeliveries } from '../../src/integrations/webhook-deliveries';
import { createGroup, send } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { eventually } from '../support/livechat';
import { generateToken } from '../support/integrations';
import { startTestApp, TestApp } from '../support/test-app';
import { Receiver } from '../support/webhook-receiver';
import { ServerProcess } from './server-process';

/**
 * An instance killed (kill -9) while a webhook call is under way loses nothing: the delivery was queued in the
 * send's own transaction, and the dead instance's lease on the webhook runs out within seconds, so the next
 * instance delivers it (again: at least once, the receiver tells repeats apart by the delivery id).
 */
describe('a webhook delivery survives kill -9 of the instance sending it', () => {
  let t: TestApp;
  let first: ServerProcess | undefined;
  let second: ServerProcess | undefined;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await startTestApp();
    receiver = await new Receiver().start();
  });
  afterAll(async () => {
    await first?.kill();
    await second?.stop();
    receiver.close();
    await t.close();
  });

  it('is delivered by the next instance', async () => {
    await createCompany(t.em(), { operator: true });
    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Orders', []);
    await generateToken(ad, groupId);
    expect((await ad.post(`/chat/groups/${groupId}/webhook`, { url: receiver.url }, { htmx: true })).status).toBe(200);
    // Only the server processes deliver from here on: the test's own app's delivery worker stops.
    await t.app.get(WebhookDeliveries).onModuleDestroy();

    const env = { WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: 'true' };
    first = await ServerProcess.start(t, env);
    receiver.answer = () => 'hang';
    const sender = await signedIn(first.url, admin.email);
    expect((await send(sender, groupId, 'order 1 paid')).res.status).toBe(201);
    await receiver.waitFor(1);
    await first.kill();
    first = undefined;

    receiver.answer = () => 200;
    second = await ServerProcess.start(t, env);
    const calls = await receiver.waitFor(2, 40_000);
    expect(calls.map((c) => c.json.message.text)).toEqual(['order 1 paid', 'order 1 paid']);
    expect(calls[1].json.deliveryId).toBe(calls[0].json.deliveryId);
    // The receiver has answered; the instance records it a moment later.
    await eventually(async () => {
      const [row] = await t.em().getConnection().execute<{ status: string }[]>(`select status from webhook_delivery where id = ?`, [calls[0].json.deliveryId]);
      expect(row.status).toBe('delivered');
    });
  }, 90_000);
});
