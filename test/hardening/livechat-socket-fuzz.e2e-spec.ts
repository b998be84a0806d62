import { io, Socket } from 'socket.io-client';
import { createCompany } from '../support/factories';
import { consultant, Consultant, eventually, livechatCompany, ORIGIN, Visitor } from '../support/livechat';
import { startTestApp, TestApp } from '../support/test-app';
import { FIELD_VALUES, ONE_MB_STRING, RAW_PACKETS, SOCKET_ARGS, UNKNOWN_EVENTS } from './malformed';
import { ServerProcess } from './server-process';

const WAIT_MS = 3000;

/**
 * The widget's namespace (/livechat) is open to the whole internet: a handshake names a widget key and a visitor
 * token in its auth, and a visitor's socket only listens. Whatever a hostile page sends there must be refused or
 * dropped with no error logged, and the server must keep pushing to the visitors it serves.
 */
describe('the Livechat socket namespace under malformed handshakes and packets', () => {
  let t: TestApp;
  let server: ServerProcess;
  let key: string;
  let good: Visitor;
  let anna: Consultant;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    await createCompany(t.em(), { operator: true });
    const widget = await livechatCompany(t);
    key = widget.key;
    // On duty on the test's own app: who is on duty is in PostgreSQL, which the server process shares.
    anna = await consultant(t, widget.company);
    server = await ServerProcess.start(t);
    good = await new Visitor(server.url, key).issue();
  }, 90_000);
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    good?.close();
    anna?.page.close();
    await server?.stop();
    await t.close();
  });

  function handshake(auth: unknown, origin = ORIGIN): Promise<{ outcome: string; socket: Socket }> {
    const socket = io(`${server.url}/livechat`, {
      transports: ['websocket'],
      auth: auth as object,
      extraHeaders: { Origin: origin },
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ outcome: 'no answer', socket }), WAIT_MS);
      socket.once('connect', () => (clearTimeout(timer), resolve({ outcome: 'admitted', socket })));
      socket.once('connect_error', (err) => (clearTimeout(timer), resolve({ outcome: `refused: ${err.message}`, socket })));
    });
  }

  it('refuses every malformed key and token as unauthorized, never as a fault, and logs no error', async () => {
    const findings: string[] = [];
    const tries: { label: string; auth: unknown }[] = [
      { label: 'no auth', auth: undefined },
      { label: 'auth nested 500 deep', auth: JSON.parse(`${'{"a":'.repeat(500)}1${'}'.repeat(500)}`) },
      ...FIELD_VALUES.map(({ label, value }) => ({ label: `key: ${label}`, auth: { key: value, token: good.token } })),
      ...FIELD_VALUES.map(({ label, value }) => ({ label: `token: ${label}`, auth: { key, token: value } })),
      ...FIELD_VALUES.map(({ label, value }) => ({ label: `locale: ${label}`, auth: { key, token: good.token, locale: value } })),
    ];
    for (const { label, auth } of tries) {
      const { outcome, socket } = await handshake(auth);
      socket.close();
      const admitted = label.startsWith('locale: ');
      if (outcome !== (admitted ? 'admitted' : 'refused: unauthorized')) findings.push(`${label.padEnd(60)} ${outcome}`);
    }
    const foreign = await handshake({ key, token: good.token }, 'https://evil.example');
    if (foreign.outcome !== 'refused: forbidden') findings.push(`an unlisted origin: ${foreign.outcome}`);
    expect(findings).toEqual([]);
    expect(server.loggedErrors()).toEqual([]);
  }, 120_000);

  it('drops every event a visitor’s socket sends, keeps it connected, and still pushes the visitor’s chat to it', async () => {
    const socket = await good.connect();
    const dropped: string[] = [];
    socket.on('disconnect', (reason) => dropped.push(reason));
    let sent = 0;
    for (const event of ['message', 'status', 'chat:send', ...UNKNOWN_EVENTS]) {
      for (const { value } of SOCKET_ARGS) {
        socket.emit(event, ...value);
        socket.emit(event, ...value, () => undefined);
        sent += 2;
      }
    }
    await good.start('still here?');
    await eventually(() => expect(good.messages.map((m) => m.html).join('')).toContain('still here?'), WAIT_MS);
    expect({ sent, dropped }).toEqual({ sent, dropped: [] });

    // Frames the parser cannot read, and a packet over the 1 MB limit, close only the socket that sent them.
    for (const { label, value } of RAW_PACKETS) {
      const { socket: raw } = await handshake({ key, token: good.token });
      raw.io.engine.write(value as string);
      expect({ label, serving: await server.healthy() }).toEqual({ label, serving: true });
      raw.close();
    }
    const { socket: big } = await handshake({ key, token: good.token });
    big.emit('message', ONE_MB_STRING);
    expect(await server.healthy()).toBe(true);
    await good.send('and now?');
    await eventually(() => expect(good.messages.map((m) => m.html).join('')).toContain('and now?'), WAIT_MS);
    expect(server.loggedErrors()).toEqual([]);
  }, 120_000);
});
