import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { createCompany } from '../support/factories';
import { consultant, Consultant, eventually, livechatCompany, Visitor } from '../support/livechat';
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

/** Two instances behind one load balancer, sharing PostgreSQL and Redis: the visitor on one, the consultant on the other. */
describe('Livechat across two instances', () => {
  let first: TestApp | undefined;
  let second: TestApp | undefined;
  let skip = false;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    skip = !(await redisAvailable());
    if (skip) {
      console.warn(`Skipping the two-instance Livechat test: no Redis answers at ${REDIS_URL} (set REDIS_URL to run it).`);
      return;
    }
    first = await startTestApp({ REDIS_URL, LIVECHAT_SWEEP_MS: '200' });
    second = await startTestApp({ REDIS_URL, LIVECHAT_SWEEP_MS: '200', DATABASE_SCHEMA: first.config.databaseSchema });
    await createCompany(first.em(), { operator: true });
  });
  afterAll(async () => {
    closers.forEach((close) => close());
    await second?.close();
    await first?.close();
  });

  it('carries a visitor’s messages on one instance to a consultant on the other, and the answers back, live', async () => {
    if (skip) return;
    const { company, key } = await livechatCompany(first!);
    const anna: Consultant = await consultant(second!, company);
    closers.push(() => anna.page.close());
    const v = new Visitor(first!.url, key);
    await v.issue();
    await v.connect();
    closers.push(() => v.close());
    const started = await v.start('Hello from instance A', { name: 'Vera' });
    expect(started.status).toBe(200);
    // The chat is routed to Anna (whichever instance routed it) and her panel on B shows it at once.
    await anna.page.waitFor(/id="livechat-section"[\s\S]*Vera[\s\S]*Hello from instance A/);
    const [{ id }] = await first!.em().getConnection().execute<{ id: number }[]>(`select id from livechat_chat where public_id = ?`, [v.chat]);
    const page = await anna.client.load(`/livechat/chats/${id}`);
    expect(page.text).toContain('Hello from instance A');
    // Visitor → consultant: written on A, pushed to Anna's page on B.
    await v.send('Order 42, please');
    await anna.page.waitFor(new RegExp(`id="lc-log-${id}"[\\s\\S]*Order 42, please`));
    // Consultant → visitor: answered on B, pushed to the visitor's socket on A, in order.
    const answer = await anna.client.post(`/livechat/chats/${id}/messages`, { clientId: randomUUID(), body: 'Answered from instance B' }, { htmx: true });
    expect(answer.status).toBe(200);
    await eventually(() => expect(v.messages.map((m) => m.seq)).toEqual([1, 2, 3]));
    expect(v.messages[2].html).toContain('Answered from instance B');
    // A file sent on A is readable by the consultant on B.
    const upload = await (
      await import('supertest')
    )
      .default(first!.url)
      .post(`${v.api}/chats/${v.chat}/files`)
      .set('Origin', v.origin)
      .set('X-Livechat-Token', v.token)
      .field('clientId', randomUUID())
      .attach('file', Buffer.from('across instances'), 'note.txt');
    expect(upload.status).toBe(201);
    const fileId = /data-lc-file="([^"]+)"/.exec(upload.text)![1];
    await anna.page.waitFor(new RegExp(`data-lc-file="${fileId}"`));
    expect((await anna.client.agent.get(`/livechat/files/${fileId}`)).text).toBe('across instances');
    // The consultant closes on B: the visitor on A is told.
    await anna.client.post(`/livechat/chats/${id}/close`);
    await eventually(() => expect(v.statuses.some((s) => s.html.includes('data-closed'))).toBe(true));
  });
});
