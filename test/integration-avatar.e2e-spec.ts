import sharp from 'sharp';
import request from 'supertest';
import { Integration } from '../src/integrations/integration.entity';
import { createGroup } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { generateToken } from './support/integrations';
import { startTestApp, TestApp } from './support/test-app';

/** Issue 21: an integration's own avatar, uploaded by whoever manages its token and shown only to its group. */
describe('integration avatars', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  async function scene(integrationName = 'Webshop') {
    const company = await createCompany(t.em(), { apiAddon: true });
    const admin = await createUser(t.em(), company, { role: 'admin' });
    const member = await createUser(t.em(), company);
    const outsider = await createUser(t.em(), company);
    const ad = await signedIn(t.url, admin.email);
    const groupId = await createGroup(ad, 'Orders', [member.id]);
    await generateToken(ad, groupId, { integrationName });
    const integration = await t.em().findOneOrFail(Integration, { conversation: groupId }, { filters: false });
    return {
      ad,
      groupId,
      integrationId: integration.id,
      member: await signedIn(t.url, member.email),
      outsider: await signedIn(t.url, outsider.email),
    };
  }

  const upload = (client: Client, groupId: number, content: Buffer, name = 'avatar.png') =>
    client.agent
      .post(`/chat/groups/${groupId}/api-token/avatar`)
      .set('X-CSRF-Token', client.csrf)
      .set('HX-Request', 'true')
      .attach('avatar', content, name);
  const avatarOf = (client: Client, integrationId: number) =>
    client.agent
      .get(`/chat/integrations/${integrationId}/avatar`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });

  const isBlank = async (png: Buffer) => {
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    return info.width === 1 && info.height === 1 && data[3] === 0;
  };

  it('shows the initials on a square until a picture is uploaded, then serves the picture as a 128×128 PNG without its metadata', async () => {
    const s = await scene('Web Shop');
    const blank = await avatarOf(s.member, s.integrationId);
    expect(blank.status).toBe(200);
    expect(await isBlank(blank.body)).toBe(true);
    const dialog = await s.ad.load(`/chat/groups/${s.groupId}/api-token`);
    expect(dialog.text).toMatch(/class="avatar avatar-md avatar-bot"[^>]*>WS<img class="avatar-image" src="\/chat\/integrations\/\d+\/avatar\?v=0"/);

    const photo = await sharp({ create: { width: 900, height: 400, channels: 3, background: { r: 30, g: 120, b: 60 } } })
      .jpeg()
      .withExif({ IFD0: { Make: 'PhoneMaker' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 13/1 0/1' } })
      .toBuffer();
    await s.ad.load(`/chat/groups/${s.groupId}/api-token`);
    const saved = await upload(s.ad, s.groupId, photo, 'photo.jpg');
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('The avatar has been saved.');
    const served = await avatarOf(s.member, s.integrationId);
    expect(served.headers['content-type']).toBe('image/png');
    const meta = await sharp(served.body).metadata();
    expect([meta.width, meta.height, meta.exif]).toEqual([128, 128, undefined]);
    // Pages revalidate it for nothing until it changes.
    const again = await s.member.agent.get(`/chat/integrations/${s.integrationId}/avatar`).set('If-None-Match', served.headers.etag);
    expect(again.status).toBe(304);

    const removed = await s.ad.agent.delete(`/chat/groups/${s.groupId}/api-token/avatar`).set('X-CSRF-Token', s.ad.csrf).set('HX-Request', 'true');
    expect(removed.text).toContain('The avatar has been removed');
    expect(await isBlank((await avatarOf(s.member, s.integrationId)).body)).toBe(true);
  });

  it('refuses what is not a small plain picture with a reason, keeping the avatar it had', async () => {
    const s = await scene();
    await s.ad.load(`/chat/groups/${s.groupId}/api-token`);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const script = await upload(s.ad, s.groupId, svg, 'x.svg');
    expect(script.status).toBe(422);
    expect(script.text).toContain('This is not a PNG, JPEG, WebP or GIF picture');
    const bomb = await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    expect((await upload(s.ad, s.groupId, bomb)).status).toBe(422);
    const huge = Buffer.concat([await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer(), Buffer.alloc(2.5 * 1024 * 1024)]);
    const large = await upload(s.ad, s.groupId, huge);
    expect(large.status).toBe(413);
    expect(large.text).toContain('over 2 MB');
    const empty = await s.ad.agent
      .post(`/chat/groups/${s.groupId}/api-token/avatar`)
      .set('X-CSRF-Token', s.ad.csrf)
      .set('HX-Request', 'true')
      .field('nothing', 'here');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Choose a picture first.');
    expect(await isBlank((await avatarOf(s.member, s.integrationId)).body)).toBe(true);
  });

  it('lets only those who manage the token change it, and only the group’s members see it', async () => {
    const s = await scene();
    const other = await scene();
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c00' } })
      .png()
      .toBuffer();
    await s.member.load('/');
    expect((await upload(s.member, s.groupId, png)).status).toBe(403);
    await other.ad.load('/');
    expect((await upload(other.ad, s.groupId, png)).status).toBe(404);
    expect((await avatarOf(s.outsider, s.integrationId)).status).toBe(404);
    expect((await avatarOf(other.ad, s.integrationId)).status).toBe(404);
    expect((await s.member.agent.get('/chat/integrations/99999999999999999999/avatar')).status).toBe(404);
    // Without the CSRF header nothing is stored.
    expect((await s.ad.agent.post(`/chat/groups/${s.groupId}/api-token/avatar`).attach('avatar', png, 'a.png')).status).toBe(403);
    expect(await isBlank((await avatarOf(s.member, s.integrationId)).body)).toBe(true);
  });

  it('puts the integration’s picture and name, never the display name’s, on its messages, with the robot over it', async () => {
    const s = await scene('<b>Shop</b> & Co');
    const token = await generateToken(s.ad, s.groupId);
    await request(t.url).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send({ text: 'paid', displayName: 'Anna Nowak' }).expect(201);
    const html = (await s.member.agent.get(`/chat/conversations/${s.groupId}`).set('HX-Request', 'true')).text;
    const li = html.split('<li ').find((part) => part.includes('paid'))!;
    expect(li).toMatch(/class="avatar avatar-md avatar-bot msg-avatar"[^>]*>&lt;C<img class="avatar-image" src="\/chat\/integrations\/\d+\/avatar"[^>]*><svg class="bot-mark"/);
    expect(li).not.toContain('<b>');
  });
});
