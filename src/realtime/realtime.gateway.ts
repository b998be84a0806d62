import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import type { Server, Socket } from 'socket.io';
import { has } from '../accounts/plans';
import { SESSION_COOKIE, SessionsService } from '../accounts/sessions.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { inCompany } from '../database/background-work';
import { PresenceService } from '../presence/presence.service';
import { sha256 } from '../security/tokens';
import { isLocale, Locale, LOCALES } from '../web/i18n/translator';
import { ChatEvents } from './chat-events';
import { isSupportAgent } from '../help/support-agent.guard';
import {
  ClientToServerEvents,
  companyRoom,
  conversationRoom,
  inLocale,
  InterServerEvents,
  ServerToClientEvents,
  sessionRoom,
  SocketData,
  SUPPORT_ROOM,
  userRoom,
} from './server-events';
import { cookieValue, sameOrigin } from './socket-auth';
import { guardPackets } from './socket-events';

export type GwarServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type GwarSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** One Socket.IO server on the page's own port, admitting only sockets that carry a live session cookie. */
@WebSocketGateway({ serveClient: false, cors: false })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  @WebSocketServer() server!: GwarServer;
  private readonly logger = new Logger('realtime');
  /** Names this process's sockets in the presence table, so another instance can tell when they went stale. */
  private readonly instanceId = randomUUID();
  private heartbeat?: NodeJS.Timeout;
  private readonly graceTimers = new Set<NodeJS.Timeout>();
  private closing = false;

  constructor(
    private readonly sessions: SessionsService,
    private readonly orm: MikroORM,
    private readonly presence: PresenceService,
    private readonly chat: ChatEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    this.graceTimers.forEach(clearTimeout);
    await this.withDatabase(() => this.presence.forgetInstance(this.instanceId));
  }

  handleDisconnect(socket: GwarSocket): void {
    const { userId, companyId } = socket.data;
    // While shutting down, forgetInstance clears this instance's sockets in one statement.
    if (!userId || this.closing) return;
    void this.withDatabase(() => this.presence.socketDisconnected(socket.id, userId));
    const timer = setTimeout(() => {
      this.graceTimers.delete(timer);
      void this.withDatabase(() => this.presence.announce(companyId, userId));
    }, this.config.presenceGraceMs);
    this.graceTimers.add(timer);
  }

  private withDatabase(work: () => Promise<unknown>): Promise<void> {
    return inCompany(this.orm, null, this.logger, work);
  }

  afterInit(server: GwarServer): void {
    this.heartbeat = setInterval(() => void this.withDatabase(() => this.presence.heartbeat(this.instanceId)), 15_000);
    this.heartbeat.unref();
    server.use((socket, next) => {
      if (!sameOrigin(socket.request)) return next(new Error('forbidden'));
      this.admit(socket).then(
        (refusal) => next(refusal ? new Error(refusal) : undefined),
        (err: unknown) => {
          this.logger.error(err);
          next(new Error('unavailable'));
        },
      );
    });
  }

  /** Who the socket's cookie signs in, unless that session already holds as many sockets as it may. */
  private async admit(socket: GwarSocket): Promise<string | undefined> {
    const em = this.orm.em.fork() as EntityManager;
    const auth = await this.sessions.resolve(cookieValue(socket.request.headers.cookie, SESSION_COOKIE), em);
    if (!auth) return 'unauthorized';
    const sessionHash = sha256(auth.sessionToken);
    // The rows of this instance's sockets are written after they connect: its own count covers a burst.
    const here = this.server.of('/').adapter.rooms.get(sessionRoom(sessionHash))?.size ?? 0;
    if (Math.max(here, await this.presence.openSockets(sessionHash, em)) >= this.config.socketsPerSession) return 'too_many_connections';
    const locale: unknown = socket.handshake.auth?.locale;
    socket.data = { userId: auth.user.id, companyId: auth.company.id, sessionHash, locale: isLocale(locale) ? locale : 'en', chat: has(auth.company, 'chat') };
    socket.data.support = isSupportAgent(auth);
    return undefined;
  }

  handleConnection(socket: GwarSocket): void {
    if (!socket.data.userId) return void socket.disconnect(true);
    const { userId, companyId, sessionHash, locale } = socket.data;
    guardPackets(socket);
    void socket.join([userRoom(userId), inLocale(userRoom(userId), locale), inLocale(companyRoom(companyId), locale), sessionRoom(sessionHash)]);
    if (socket.data.support) void socket.join(inLocale(SUPPORT_ROOM, locale));
    void this.withDatabase(() => this.presence.socketConnected(socket.id, this.instanceId, userId, companyId, sessionHash));
    this.chat.attach(socket);
  }

  /**
   * The languages worth rendering for these rooms: those with a page of this instance in one of them, or every
   * language when other instances (behind the Redis adapter) may hold pages this one cannot see.
   */
  localesFor(rooms: string[]): Locale[] {
    if (this.config.redisUrl) return [...LOCALES];
    const local = this.server.of('/').adapter.rooms;
    return LOCALES.filter((locale) => rooms.some((room) => local.has(inLocale(room, locale))));
  }

  /** Takes a user's pages out of a conversation's room, in every language. */
  leaveConversation(userId: number, conversationId: number): void {
    this.server.in(userRoom(userId)).socketsLeave(LOCALES.map((locale) => inLocale(conversationRoom(conversationId), locale)));
  }

  /** A signed-out, deactivated or reset user keeps no open socket. */
  @OnEvent('accounts.sessions.ended')
  endSessions(event: { userId: number }): void {
    this.server.in(userRoom(event.userId)).disconnectSockets(true);
  }

  /** A user put on or taken off the support team: their open pages start or stop hearing of Help conversations. */
  @OnEvent('accounts.support-agent.changed')
  async supportAgentChanged(event: { userId: number; supportAgent: boolean }): Promise<void> {
    for (const socket of await this.server.local.in(userRoom(event.userId)).fetchSockets()) {
      socket.data.support = event.supportAgent;
      if (event.supportAgent) socket.join(inLocale(SUPPORT_ROOM, socket.data.locale));
      else socket.leave(inLocale(SUPPORT_ROOM, socket.data.locale));
    }
  }

  @OnEvent('accounts.session.ended')
  endSession(event: { tokenHash: string }): void {
    this.server.in(sessionRoom(event.tokenHash)).disconnectSockets(true);
  }
}
