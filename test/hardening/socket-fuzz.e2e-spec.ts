import { io, Socket } from 'socket.io-client';
import { Company } from '../../src/accounts/company.entity';
import { User } from '../../src/accounts/user.entity';
import { ConversationMember } from '../../src/chat/conversation-member.entity';
import { Conversation } from '../../src/chat/conversation.entity';
import { CLIENT_EVENTS as EVENT_SCHEMAS } from '../../src/realtime/server-events';

const CLIENT_EVENTS = Object.keys(EVENT_SCHEMAS);
import { createGroup } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { connected, connectSocket } from '../support/sockets';
import { startTestApp, TestApp } from '../support/test-app';
import { ONE_MB_STRING, RAW_PACKETS, SOCKET_ARGS, UNKNOWN_EVENTS } from './malformed';
import { ServerProcess } from './server-process';

/** A signed-in page's socket owner, and a conversation it belongs to: a join of it shows the server still serves the socket. */
interface Member {
  label: string;
  cookie: string;
  conversationId: number;
  /** Whether that join must be granted; on a plan without chat, any answer will do. */
  granted: boolean;
}

interface Packet {
  event: string;
  label: string;
  send(socket: Socket): void;
}

interface Finding {
  who: string;
  event: string;
  label: string;
  what: string;
}

const ACK_WAIT_MS = 3000;

/** Every malformed packet, for each event the server listens to, then unknown events and broken frames. */
function packets(): Packet[] {
  const list: Packet[] = [];
  for (const event of CLIENT_EVENTS) {
    for (const { label, value } of SOCKET_ARGS) {
      list.push({ event, label, send: (s) => s.emit(event, ...value) });
      list.push({ event, label: `${label}, with an ack`, send: (s) => s.emit(event, ...value, () => undefined) });
    }
    list.push({ event, label: 'a string over the 1 MB packet limit', send: (s) => s.emit(event, ONE_MB_STRING) });
  }
  for (const event of UNKNOWN_EVENTS) {
    list.push({ event: `unknown "${event.slice(0, 20)}"`, label: 'an object with toString null', send: (s) => s.emit(event, { toString: null }) });
    list.push({ event: `unknown "${event.slice(0, 20)}"`, label: 'a number, with an ack', send: (s) => s.emit(event, 1, () => undefined) });
  }
  for (const { label, value } of RAW_PACKETS) list.push({ event: 'raw frame', label, send: (s) => s.io.engine.write(value as string) });
  return list;
}

function table(findings: Finding[]): string {
  return findings.map((f) => `${f.who.padEnd(22)} ${f.event.padEnd(26)} ${f.label.padEnd(50)} ${f.what}`).join('\n');
}

describe('every socket event under malformed packets', () => {
  let t: TestApp;
  let server: ServerProcess;
  let members: Member[];
  const sockets: Socket[] = [];
  let sent = 0;

  beforeAll(async () => {
    t = await startTestApp();
    const em = t.em();
    await createCompany(em, { operator: true });
    const company = await createCompany(em, { plan: 'enterprise' });
    const [ann, bob] = [await createUser(em, company), await createUser(em, company)];
    const annClient = await signedIn(t.url, ann.email);
    const startCompany = await createCompany(em, { plan: 'start' });
    const starter = await createUser(em, startCompany);
    members = [
      { label: 'a company with chat', cookie: annClient.sessionCookie(), conversationId: await createGroup(annClient, 'Fuzzed', [bob.id]), granted: true },
      // Start has no chat to make a group in; a membership kept from a plan it had before is what a socket could join.
      {
        label: 'a Start plan company',
        cookie: (await signedIn(t.url, starter.email)).sessionCookie(),
        conversationId: await keptMembership(startCompany, starter),
        granted: false,
      },
    ];
    server = await ServerProcess.start(t);
  }, 90_000);
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await server?.stop();
    await t.close();
    console.log(`Socket fuzz: ${CLIENT_EVENTS.length} events (${CLIENT_EVENTS.join(', ')}), ${sent} packets sent`);
  });

  async function keptMembership(company: Company, user: User): Promise<number> {
    const em = t.em();
    const conversation = Object.assign(new Conversation(em.getReference(Company, company.id), 'group'), { name: 'From the old plan' });
    em.persist(conversation);
    em.persist(new ConversationMember(conversation, em.getReference(User, user.id)));
    await em.flush();
    return conversation.id;
  }

  async function open(member: Member): Promise<Socket> {
    const socket = connectSocket(server.url, member.cookie);
    sockets.push(socket);
    await connected(socket);
    return socket;
  }

  /** A join of a conversation the member belongs to: its answer shows the server still serves this socket. */
  function join(socket: Socket, conversationId: number): Promise<boolean | 'disconnected' | 'no answer'> {
    if (!socket.connected) return Promise.resolve('disconnected');
    return new Promise((resolve) => {
      const done = (answer: boolean | 'disconnected' | 'no answer') => {
        clearTimeout(timer);
        socket.off('disconnect', onDisconnect);
        resolve(answer);
      };
      const onDisconnect = () => done('disconnected');
      const timer = setTimeout(() => done('no answer'), ACK_WAIT_MS);
      socket.on('disconnect', onDisconnect);
      socket.emit('conversation:join', conversationId, (ok: boolean) => done(ok));
    });
  }

  /**
   * Sends each packet, then a valid join on the same socket. A server that closed only this connection (it
   * refuses frames it cannot parse, and packets over 1 MB) gets a new socket; a server process that died is
   * a finding, restarted so that the rest still runs, and the event's remaining packets are skipped.
   */
  async function barrage(member: Member): Promise<Finding[]> {
    const findings: Finding[] = [];
    const crashed = new Set<string>();
    let socket = await open(member);
    for (const packet of packets()) {
      if (crashed.has(packet.event)) continue;
      packet.send(socket);
      sent++;
      const answer = await join(socket, member.conversationId);
      if (answer === true || (answer === false && !member.granted)) continue;
      const finding = (what: string) => findings.push({ who: member.label, event: packet.event, label: packet.label, what });
      if (answer === false) finding('a valid join was refused afterwards');
      if (answer === 'no answer') finding(`no answer to a valid join within ${ACK_WAIT_MS} ms, the process still running`);
      if (!(await server.healthy())) {
        finding(`stopped the server process (${await server.exited()}):\n${server.tail()}\n`);
        crashed.add(packet.event);
        await server.restart();
      }
      socket.close();
      socket = await open(member);
    }
    socket.close();
    return findings;
  }

  it('knows the events the server listens to from the server’s own list', () => {
    expect(CLIENT_EVENTS).toEqual(expect.arrayContaining(['conversation:join', 'conversation:leave']));
  });

  it.each(['a company with chat', 'a Start plan company'])(
    'keeps serving after every malformed packet from a member of %s',
    async (label) => {
      const findings = await barrage(members.find((m) => m.label === label)!);
      if (findings.length) throw new Error(`${findings.length} packets from ${label} broke the server:\n${table(findings)}`);
      expect(server.loggedErrors()).toEqual([]);
    },
    240_000,
  );

  it('admits or refuses a malformed handshake, and keeps serving', async () => {
    const [member] = members;
    const handshakes: { label: string; cookie: string; headers?: Record<string, string>; auth?: unknown }[] = [
      { label: 'a locale that is an object with toString null', cookie: member.cookie, auth: { locale: { toString: null } } },
      { label: 'a locale that is an array', cookie: member.cookie, auth: { locale: ['pl', 'en'] } },
      { label: 'auth nested 500 deep', cookie: member.cookie, auth: JSON.parse(`${'{"a":'.repeat(500)}1${'}'.repeat(500)}`) },
      { label: 'a session cookie that does not decode', cookie: 'gwar_session=%E0%A4%A' },
      { label: 'a session cookie of 6 kB', cookie: `gwar_session=${'x'.repeat(6000)}` },
      { label: 'an Origin that is no URL', cookie: member.cookie, headers: { Origin: 'http://[::1' } },
      { label: 'a cookie header of NUL-free garbage', cookie: ';;=;gwar_session;=x;' },
    ];
    for (const h of handshakes) {
      const socket = io(server.url, {
        transports: ['websocket'],
        extraHeaders: { Cookie: h.cookie, ...h.headers },
        auth: h.auth as object,
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket);
      sent++;
      const outcome = await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('admitted'));
        socket.once('connect_error', (err) => resolve(`refused: ${err.message}`));
        setTimeout(() => resolve('no answer'), ACK_WAIT_MS);
      });
      socket.close();
      expect({ handshake: h.label, outcome, serving: await server.healthy() }).toEqual({
        handshake: h.label,
        outcome: expect.stringMatching(/^(admitted|refused)/),
        serving: true,
      });
    }
  });

  it('answers /health and a valid join on a fresh socket after the barrage', async () => {
    expect(server.running).toBe(true);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    for (const member of members) {
      expect(await join(await open(member), member.conversationId)).toEqual(member.granted ? true : expect.any(Boolean));
    }
  });
});
