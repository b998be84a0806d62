import { MikroORM } from '@mikro-orm/core';
import { ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { refusalText } from '../accounts/plan-refusal';
import { ConversationsService } from '../chat/conversations.service';
import { MessageFragments } from '../chat/message.fragments';
import { MessageSending } from '../chat/message-sending';
import { encodeWatermark, NOBODY_READ } from '../chat/read-watermark';
import { ReadsService } from '../chat/reads.service';
import { forCompany } from '../database/background-work';
import { translator } from '../web/i18n/translator';
import type { GwarSocket } from './realtime.gateway';
import { conversationRoom, inLocale, Position, SendAck } from './server-events';
import { listen } from './socket-events';

/** What a page does over its socket: show a conversation, check where its conversations stand, read, and send. */
@Injectable()
export class ChatEvents {
  private readonly logger = new Logger('chat-events');

  constructor(
    private readonly orm: MikroORM,
    private readonly conversations: ConversationsService,
    private readonly reads: ReadsService,
    private readonly sending: MessageSending,
    private readonly fragments: MessageFragments,
  ) {}

  attach(socket: GwarSocket): void {
    const { userId, locale } = socket.data;
    // A company whose plan has no chat gets no chat over its sockets either, whatever it was a member of. The flag is
    // the plan's when the socket came, kept up to date by PlanBroadcaster when the operator changes the plan.
    const inCompany = <T>(work: () => Promise<T>) =>
      socket.data.chat ? forCompany(this.orm, socket.data.companyId, work) : Promise.reject(new ForbiddenException('no chat in this plan'));

    // A page joins a conversation's room only if its user is a member (checked now, and again on every change).
    listen(socket, 'conversation:join', this.logger, false, (conversationId) =>
      inCompany(async () => {
        if (!(await this.conversations.isMember(userId, conversationId)) || !socket.connected) return false;
        await socket.join(inLocale(conversationRoom(conversationId), locale));
        return true;
      }),
    );
    listen(socket, 'conversation:leave', this.logger, undefined, async (conversationId) => socket.leave(inLocale(conversationRoom(conversationId), locale)));
    listen(socket, 'sync', this.logger, [], (ids) =>
      inCompany(async () =>
        (await this.conversations.positions(userId, [...new Set(ids)])).map((p): Position => ({ id: p.id, seq: p.seq, read: encodeWatermark(p.read) })),
      ),
    );
    // Stored with the reads that come in the same moment; a non-member's read moves nothing.
    listen(socket, 'read', this.logger, undefined, ({ conversationId, upTo, cleared }) =>
      socket.data.chat ? this.reads.queueRead(socket.data.companyId, conversationId, userId, upTo, cleared ? socket.id : undefined) : Promise.resolve(),
    );
    const failed: SendAck = { ok: false, status: 500, error: translator(locale)('chat.notSent') };
    const noChat: SendAck = { ok: false, status: 403, error: refusalText('chat', locale) };
    listen(socket, 'message:send', this.logger, failed, ({ conversationId }, payload) =>
      socket.data.chat ? forCompany(this.orm, socket.data.companyId, () => this.send(socket, conversationId, payload)) : Promise.resolve(noChat),
    );
  }

  private async send(socket: GwarSocket, conversationId: number, payload: unknown): Promise<SendAck> {
    const { userId, locale } = socket.data;
    try {
      const sent = await this.sending.send(userId, conversationId, payload, socket.id);
      if (!sent.ok) return { ok: false, status: sent.status, error: translator(locale)(sent.error) };
      // The ticks are the page's to colour from its read watermark, as for a push.
      const fragment = sent.created
        ? (await this.fragments.newMessage(sent.record, [locale])).get(locale)!
        : (await this.fragments.render([sent.record], locale, NOBODY_READ))[0];
      return { ok: true, seq: sent.record.seq, html: fragment.html, created: sent.created };
    } catch (err) {
      if (err instanceof NotFoundException) return { ok: false, status: 404, error: translator(locale)('error.404.title') };
      if (err instanceof ForbiddenException) return { ok: false, status: 403, error: translator(locale)('error.403.title') };
      throw err;
    }
  }
}
