import request from 'supertest';
import { createGroup, Page, send, settle } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { generateToken } from './support/integrations';

describe('mentions in groups', () => {
  let t: TestApp;
  const pages: Page[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(async () => {
    pages.forEach((p) => p.close());
    await t.close();
  });

  it('notifies the members a message mentions (@Name, @all), live, and no one else; an integration can mention too', async () => {
    const company = await createCompany(t.em(), { apiAddon: true });
    const ann = await createUser(t.em(), company, { name: 'Ann Boss', role: 'admin' });
    const bob = await createUser(t.em(), company, { name: 'Bob Builder' });
    const cid = await createUser(t.em(), company, { name: 'Cid Coder' });
    const outsider = await createUser(t.em(), company, { name: 'Olive Outside' });
    const a = await signedIn(t.url, ann.email);
    const groupId = await createGroup(a, 'Launch', [bob.id, cid.id]);
    const [bobPage, cidPage, olivePage] = await Promise.all([bob, cid, outsider].map(async (u) => Page.open(t.url, await signedIn(t.url, u.email))));
    pages.push(bobPage, cidPage, olivePage);

    await send(a, groupId, '@Bob Builder can you check the build? (not @Olive Outside, she is not here)');
    await bobPage.waitFor('Ann Boss mentioned you in Launch');
    await settle();
    expect(cidPage.received()).not.toContain('mentioned you');
    expect(olivePage.received()).not.toContain('mentioned you');

    const token = await generateToken(a, groupId, { integrationName: 'CI' });
    expect((await request(t.url).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send({ text: 'Build failed, @all' })).status).toBe(201);
    await cidPage.waitFor('CI mentioned you in Launch');
    await bobPage.waitFor('CI mentioned you in Launch');
    const annPanel = await a.agent.get('/chat/panel').set('HX-Request', 'true');
    expect(annPanel.text).toContain('CI mentioned you in Launch');
    await settle();
    expect(olivePage.received()).not.toContain('mentioned you');
  });
});
