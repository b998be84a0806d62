import { MikroORM } from '@mikro-orm/core';
import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { forCompany } from '../database/background-work';
import { isLocale, Locale, LOCALES } from '../web/i18n/translator';
import { allowedOrigin } from './origins';
import { LivechatSettingsService } from './settings.service';
import { VisitorsService } from './visitors.service';

export interface VisitorToClient {
  /** A message of the visitor's chat (theirs or the consultant's), with the chat's change sequence it brings. */
  message: (event: { chat: string; seq: number; html: string }) => void;
  /** The line under the log: the place in the queue, or the chat's end; empty while someone is answering. */
  status: (event: { chat: string; html: string }) => void;
}

export interface VisitorData {
  visitorId: number;
  companyId: number;
  locale: Locale;
}

export type VisitorNamespace = Namespace<Record<string, never>, VisitorToClient, Record<string, never>, VisitorData>;
type VisitorSocket = Socket<Record<string, never>, VisitorToClient, Record<string, never>, VisitorData>;

export const visitorRoom = (visitorId: number, locale: string) => `visitor:${visitorId}@${locale}`;

/**
 * The widget's live pushes: a namespace of its own, admitting a socket by the widget's key and the visitor's
 * token (sent in the handshake's auth, never a cookie: a cross-site iframe may have none), from Gwar's own
 * origin or one the widget allows. A visitor's socket only listens; whatever it sends is dropped.
 */
@WebSocketGateway({ namespace: '/livechat', serveClient: false, cors: false })
export class VisitorGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() server!: VisitorNamespace;
  private readonly logger = new Logger('livechat-socket');

  constructor(
    private readonly orm: MikroORM,
    private readonly settings: LivechatSettingsService,
    private readonly visitors: VisitorsService,
  ) {}

  afterInit(ns: VisitorNamespace): void {
    ns.use((socket, next) => {
      this.admit(socket).then(
        (refusal) => next(refusal ? new Error(refusal) : undefined),
        (err: unknown) => {
          this.logger.error(err);
          next(new Error('unavailable'));
        },
      );
    });
  }

  private admit(socket: VisitorSocket): Promise<string | undefined> {
    return forCompany(this.orm, null, async () => {
      const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
      const settings = await this.settings.live(auth.key);
      if (!settings) return 'unauthorized';
      if (!allowedOrigin(socket.request.headers.origin, socket.request.headers.host, settings.origins)) return 'forbidden';
      const visitor = await this.visitors.resolve(settings, auth.token);
      if (!visitor) return 'unauthorized';
      socket.data = { visitorId: visitor.id, companyId: visitor.companyId, locale: isLocale(auth.locale) ? auth.locale : 'en' };
      return undefined;
    });
  }

  handleConnection(socket: VisitorSocket): void {
    if (!socket.data.visitorId) return void socket.disconnect(true);
    socket.use(() => undefined);
    void socket.join(visitorRoom(socket.data.visitorId, socket.data.locale));
  }

  /** A widget closed (its page left, or the connection lost): the visitor was last seen now, so "gone" counts from here. */
  handleDisconnect(socket: VisitorSocket): void {
    const { visitorId, companyId } = socket.data ?? {};
    if (!visitorId) return;
    forCompany(this.orm, companyId, (em) => this.visitors.touch(em, visitorId, companyId)).catch((err: unknown) => this.logger.error(err));
  }

  /** The visitors (of those given) with a widget open, on any instance. */
  async present(visitorIds: number[]): Promise<Set<number>> {
    if (!visitorIds.length) return new Set();
    const rooms = visitorIds.flatMap((id) => LOCALES.map((locale) => visitorRoom(id, locale)));
    const sockets = await this.server.in(rooms).fetchSockets();
    return new Set(sockets.map((s) => s.data.visitorId));
  }

  /** The languages the visitor's open widgets speak (every one when other instances may hold some). */
  localesOf(visitorId: number, everywhere: boolean): Locale[] {
    if (everywhere) return [...LOCALES];
    return LOCALES.filter((locale) => this.server.adapter.rooms.has(visitorRoom(visitorId, locale)));
  }
}
