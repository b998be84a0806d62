import request from 'supertest';
import { avatarColour } from '../../src/web/avatar-colour';
import { createGroup, send } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { generateToken } from '../support/integrations';
import { startTestApp, TestApp } from '../support/test-app';

/** What the page needs to group messages and draw avatars, carried by the one message fragment. */
describe('messages carry their author and time for grouping, and an avatar for every author', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  const messagesIn = (html: string) => [...html.matchAll(/<li id="m-[^"]+" class="msg[\s\S]*?\n<\/li>/g)].map((m) => m[0]);

  it('marks a member’s message with their key and time, and an integration’s with its own, even under a member’s name', async () => {
    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin', name: 'Ada Admin' });
    const member = await createUser(t.em(), company, { name: 'Max Member' });
    const ad = await signedIn(t.url, admin.email);
    const m = await signedIn(t.url, member.email);
    const groupId = await createGroup(ad, 'Grouped', [member.id]);
    await send(m, groupId, 'hello from Max');
    const token = await generateToken(ad, groupId);
    // An integration may call itself anything, a member's name or markup included.
    for (const displayName of ['Max Member', '<img src=x onerror=alert(1)> Bot']) {
      const res = await request(t.url)
        .post('/api/v1/messages')
        .set('Authorization', `Bearer ${token}`)
        .send({ text: `from ${displayName.length}`, displayName });
      expect(res.status).toBe(201);
    }

    const html = (await ad.agent.get(`/chat/conversations/${groupId}`).set('HX-Request', 'true')).text;
    const [mine, botAsMax, hostile] = messagesIn(html);
    expect(mine).toContain(`data-author-key="u${member.id}"`);
    expect(mine).toMatch(/data-created-at="\d{4}-\d\d-\d\dT[\d:.]+Z"/);
    expect(mine).toContain(`<span class="avatar avatar-md msg-avatar" style="background-color: ${avatarColour(member.id)}" aria-hidden="true">MM</span>`);

    // Named like Max, but never grouped with him nor drawn like him.
    const botKey = /data-author-key="(i\d+)"/.exec(botAsMax)?.[1];
    expect(botKey).toBeDefined();
    expect(botAsMax).toContain('avatar-bot');
    expect(botAsMax).toContain('class="bot-mark"');
    expect(hostile).toContain(`data-author-key="${botKey}"`);
    expect(hostile).not.toMatch(/<img src=x/);

    // The window carries what the page says about days and new messages, in the page's language.
    expect(html).toContain('data-today="Today" data-yesterday="Yesterday"');
    expect(html).toMatch(/<button type="button" class="jump-latest" data-action="jump-latest" hidden/);
    // The same for every viewer: what another member's page gets is what the admin's got.
    const other = (await m.agent.get(`/chat/conversations/${groupId}`).set('HX-Request', 'true')).text;
    expect(messagesIn(other).map((li) => /data-author-key="[^"]*"/.exec(li)?.[0])).toEqual(
      messagesIn(html).map((li) => /data-author-key="[^"]*"/.exec(li)?.[0]),
    );
  });
});
