import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { Company } from '../../src/accounts/company.entity';
import request from 'supertest';
import { TOKEN_BURST } from '../../src/integrations/api-docs.decorators';
import { createGroup, directConversation, Page, send } from '../support/chat';
import { generateToken } from '../support/integrations';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

async function redisAvailable(): Promise<boolean> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    await client.quit();
    return true;
  } catch {
    return false;
  }
}

describe('two instances behind one load balancer', () => {
  let first: TestApp | undefined;
  let second: TestApp | undefined;
  let skip = false;

  beforeAll(async () => {
    skip = !(await redisAvailable());
    if (skip) {
      console.warn(`Skipping the two-instance test: no Redis answers at ${REDIS_URL} (set REDIS_URL to run it).`);
      return;
    }
    first = await startTestApp({ REDIS_URL });
    second = await startTestApp({ REDIS_URL, DATABASE_SCHEMA: first.config.databaseSchema });
    await createCompany(first.em(), { operator: true });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('delivers a message sent through one instance to a page connected to the other, sharing sessions', async () => {
    if (skip) return;
    const company = await createCompany(first!.em());
    const ann = await createUser(first!.em(), company);
    const bob = await createUser(first!.em(), company);
    const a = await signedIn(first!.url, ann.email);
    const b = await signedIn(second!.url, bob.email);
    const conversationId = await directConversation(a, bob.id);
    const bobOnSecond = await Page.open(second!.url, b, [conversationId]);
    try {
      const { clientId } = await send(a, conversationId, 'across instances');
      await bobOnSecond.waitFor(`id="m-${clientId}"`);
      await bobOnSecond.waitFor(new RegExp(`id="unread-u${ann.id}" hx-swap-oob="true" class="badge" data-count="1"><span aria-hidden="true">1<`));
      // The session made on the first instance works on the second.
      const aOnSecond = a.sessionCookie();
      const res = await fetch(`${second!.url}/`, { headers: { Cookie: aOnSecond }, redirect: 'manual' });
      expect(res.status).toBe(200);
    } finally {
      bobOnSecond.close();
    }
  });

  it('takes the chat away from a page on the other instance when the operator downgrades the plan on this one', async () => {
    if (skip) return;
    const ops = await first!.em().findOneOrFail(Company, { isOperator: true });
    const operator = await signedIn(first!.url, (await createUser(first!.em(), ops, { role: 'admin' })).email);
    const company = await createCompany(first!.em(), { plan: 'professional' });
    const [ann, bob] = [await createUser(first!.em(), company), await createUser(first!.em(), company)];
    const a = await signedIn(second!.url, ann.email);
    const conversationId = await directConversation(a, bob.id);
    const annOnSecond = await Page.open(second!.url, a, [conversationId]);
    try {
      await operator.load(`/operator/companies/${company.id}`);
      expect((await operator.post(`/operator/companies/${company.id}`, { companyName: company.name, plan: 'start' })).status).toBe(303);
      const deadline = Date.now() + 3000;
      while (!annOnSecond.refreshed.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(annOnSecond.refreshed).toEqual([{ panel: true, resync: true }]);
      const sent = await annOnSecond.socket.emitWithAck('message:send', { conversationId, clientId: randomUUID(), body: 'after the downgrade' });
      expect(sent).toMatchObject({ ok: false, status: 403 });
    } finally {
      annOnSecond.close();
    }
  });

  it('takes an integration’s messages from one bucket whichever instance they reach', async () => {
    if (skip) return;
    const company = await createCompany(first!.em(), { apiAddon: true });
    const admin = await signedIn(first!.url, (await createUser(first!.em(), company, { role: 'admin' })).email);
    const token = await generateToken(admin, await createGroup(admin, 'Orders', []));
    const began = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        request(i % 2 ? second!.url : first!.url)
          .post('/api/v1/messages')
          .set('Authorization', `Bearer ${token}`)
          .send({ text: `across ${i}` })
          .then((r) => r.status),
      ),
    );
    // Counted per instance, each would take its own 30.
    const accepted = statuses.filter((status) => status === 201).length;
    expect(accepted).toBeGreaterThanOrEqual(TOKEN_BURST);
    expect(accepted).toBeLessThanOrEqual(TOKEN_BURST + Math.floor((Date.now() - began) / 500));
    expect(statuses.filter((status) => status !== 201 && status !== 429)).toEqual([]);
  });
});
