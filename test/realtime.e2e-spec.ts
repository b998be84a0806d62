import { Socket } from 'socket.io-client';
import { createCompany, createUser } from './support/factories';
import { signedIn } from './support/http-client';
import { connected, connectSocket, disconnected, refused } from './support/sockets';
import { startTestApp, TestApp } from './support/test-app';

describe('the Socket.IO gateway', () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  const open = (cookie: string, headers?: Record<string, string>) => {
    const socket = connectSocket(t.url, cookie, headers);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => t.close());

  it('admits a socket that carries a live session cookie', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company);
    const client = await signedIn(t.url, user.email);
    await connected(open(client.sessionCookie()));
  });

  it('refuses a socket without a session, with a forged one, or from another site’s page', async () => {
    const company = await createCompany(t.em());
    const client = await signedIn(t.url, (await createUser(t.em(), company)).email);
    expect(await refused(open(''))).toBe('unauthorized');
    expect(await refused(open('gwar_session=forged-token'))).toBe('unauthorized');
    expect(await refused(open(client.sessionCookie(), { Origin: 'https://evil.example.com' }))).toBe('forbidden');
  });

  it('drops the sockets of a user who is deactivated, and only theirs', async () => {
    const company = await createCompany(t.em());
    const admin = await signedIn(t.url, (await createUser(t.em(), company, { role: 'admin' })).email);
    const user = await createUser(t.em(), company);
    const colleague = await signedIn(t.url, (await createUser(t.em(), company)).email);
    const userSocket = open((await signedIn(t.url, user.email)).sessionCookie());
    const colleagueSocket = open(colleague.sessionCookie());
    await Promise.all([connected(userSocket), connected(colleagueSocket)]);

    const dropped = disconnected(userSocket);
    await admin.load(`/admin/users/${user.id}`);
    await admin.post(`/admin/users/${user.id}/deactivation`);
    expect(await dropped).toBe('io server disconnect');
    expect(colleagueSocket.connected).toBe(true);
  });

  it('drops a signed-out session’s sockets but not the same user’s other sessions', async () => {
    const company = await createCompany(t.em());
    const user = await createUser(t.em(), company);
    const laptop = await signedIn(t.url, user.email);
    const phone = await signedIn(t.url, user.email);
    const laptopSocket = open(laptop.sessionCookie());
    const phoneSocket = open(phone.sessionCookie());
    await Promise.all([connected(laptopSocket), connected(phoneSocket)]);
    const dropped = disconnected(laptopSocket);
    await laptop.post('/logout');
    expect(await dropped).toBe('io server disconnect');
    expect(phoneSocket.connected).toBe(true);
  });
});
