import { createGroup } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('requests that arrive together', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  it('keeps both of two first saves of the chat settings (two tabs), where one failed with 500', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company);
    const client = await signedIn(t.url, user.email);
    const save = (form: Record<string, string>) => client.post('/chat/settings', { ...form, quiet: 'true' }, { htmx: true });
    const answers = await Promise.all([save({ sound: 'false' }), save({ sortBy: 'activity' }), save({ listView: 'name' }), save({ collapsed: 'true' })]);
    expect(answers.map((r) => r.status)).toEqual([204, 204, 204, 204]);
    const [row] = await t.em().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from chat_settings where user_id = ?`, [user.id]);
    expect(row.n).toBe(1);
  });

  it('adds a member once when two edits of a group add them at the same moment', async () => {
    const company = await createCompany(t.em());
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const [bob, cid] = [await createUser(t.em(), company), await createUser(t.em(), company)];
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Racing', [bob.id]);
    await ad.load(`/chat/groups/${groupId}/edit`);
    const edit = () => ad.agent.post(`/chat/groups/${groupId}`).type('form').send(`_csrf=${ad.csrf}&name=Racing&members=${bob.id}&members=${cid.id}`);
    const answers = await Promise.all(Array.from({ length: 6 }, edit));
    expect(answers.map((r) => r.status)).toEqual(Array(6).fill(303));
    const members = await t.em().getConnection().execute<{ user_id: number }[]>(`select user_id from conversation_member where conversation_id = ? order by user_id`, [groupId]);
    expect(members.map((m) => m.user_id)).toEqual([admin.id, bob.id, cid.id].sort((x, y) => x - y));
  });
});
