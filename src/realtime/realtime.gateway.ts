import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { SESSION_COOKIE, SessionsService } from '../accounts/sessions.service';
import { sha256 } from '../security/tokens';
import { ClientToServerEvents, companyRoom, ServerToClientEvents, sessionRoom, SocketData, userRoom } from './server-events';
import { cookieValue, sameOrigin } from './socket-auth';

export type GwarServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type GwarSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** One Socket.IO server on the page's own port, admitting only sockets that carry a live session cookie. */
@WebSocketGateway({ serveClient: false, cors: false })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection {
  @WebSocketServer() server!: GwarServer;
  private readonly logger = new Logger('realtime');

  constructor(
    private readonly sessions: SessionsService,
    private readonly orm: MikroORM,
  ) {}

  afterInit(server: GwarServer): void {
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
    void socket.join([userRoom(socket.data.userId), companyRoom(socket.data.companyId), sessionRoom(socket.data.sessionHash)]);
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
