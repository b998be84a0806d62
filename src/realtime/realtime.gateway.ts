import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import type { Server, Socket } from 'socket.io';
import { SESSION_COOKIE, SessionsService } from '../accounts/sessions.service';
import { ConversationMember } from '../chat/conversation-member.entity';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { inCompany } from '../database/background-work';
import { COMPANY_FILTER } from '../database/company-scope';
import { PresenceService } from '../presence/presence.service';
import { sha256 } from '../security/tokens';
import { isLocale, Locale, LOCALES } from '../web/i18n/translator';
import {
  ClientToServerEvents,
  companyRoom,
  conversationRoom,
  inLocale,
  memberRoom,
  ServerToClientEvents,
  sessionRoom,
  SocketData,
  userRoom,
} from './server-events';
import { cookieValue, sameOrigin } from './socket-auth';

export type GwarServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type GwarSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

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
      const token = cookieValue(socket.request.headers.cookie, SESSION_COOKIE);
      this.sessions
        .resolve(token, this.orm.em.fork() as EntityManager)
        .then((auth) => {
          if (!auth) return next(new Error('unauthorized'));
          socket.data.userId = auth.user.id;
          socket.data.companyId = auth.company.id;
          socket.data.sessionHash = sha256(auth.sessionToken);
          const locale: unknown = socket.handshake.auth?.locale;
          socket.data.locale = isLocale(locale) ? locale : 'en';
          next();
        })
        .catch((err: unknown) => {
          this.logger.error(err);
          next(new Error('unavailable'));
        });
    });
  }

  handleConnection(socket: GwarSocket): void {
    if (!socket.data.userId) return void socket.disconnect(true);
    const { userId, companyId, sessionHash, locale } = socket.data;
    void socket.join([userRoom(userId), inLocale(userRoom(userId), locale), inLocale(companyRoom(companyId), locale), sessionRoom(sessionHash)]);
    void this.withDatabase(() => this.presence.socketConnected(socket.id, this.instanceId, userId, companyId));
    socket.on('conversation:join', (conversationId, ack) => {
      this.join(socket, Number(conversationId))
        .then((ok) => (typeof ack === 'function' ? ack(ok) : undefined))
        .catch((err: unknown) => {
          this.logger.error(err);
          if (typeof ack === 'function') ack(false);
        });
    });
    socket.on('conversation:leave', (conversationId) => {
      const id = Number(conversationId);
      if (!Number.isSafeInteger(id)) return;
      void socket.leave(inLocale(conversationRoom(id), socket.data.locale));
      void socket.leave(inLocale(memberRoom(id, userId), socket.data.locale));
    });
  }

  /** A page joins a conversation's rooms only if its user is a member (checked now, and again on every change). */
  private async join(socket: GwarSocket, conversationId: number): Promise<boolean> {
    if (!Number.isSafeInteger(conversationId) || conversationId <= 0) return false;
    const em = this.orm.em.fork();
    em.setFilterParams(COMPANY_FILTER, { companyId: socket.data.companyId });
    const member = await em.count(ConversationMember, { conversation: conversationId, user: socket.data.userId });
    if (!member || !socket.connected) return false;
    const { locale, userId } = socket.data;
    await socket.join([inLocale(conversationRoom(conversationId), locale), inLocale(memberRoom(conversationId, userId), locale)]);
    return true;
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

  /** Takes a user's pages out of a conversation's rooms, in every language. */
  leaveConversation(userId: number, conversationId: number): void {
    this.server
      .in(userRoom(userId))
      .socketsLeave(LOCALES.flatMap((locale) => [inLocale(conversationRoom(conversationId), locale), inLocale(memberRoom(conversationId, userId), locale)]));
  }

  /** A signed-out, deactivated or reset user keeps no open socket. */
  @OnEvent('accounts.sessions.ended')
  endSessions(event: { userId: number }): void {
    this.server.in(userRoom(event.userId)).disconnectSockets(true);
  }

  @OnEvent('accounts.session.ended')
  endSession(event: { tokenHash: string }): void {
    this.server.in(sessionRoom(event.tokenHash)).disconnectSockets(true);
  }
}
