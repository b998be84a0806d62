import { MikroORM } from '@mikro-orm/core';
import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatRenderer } from '../chat/chat.renderer';
import { LinkedObject } from '../chat/object-links';
import { linkedObject } from '../crm/crm-links.resolver';
import { kindOf } from '../crm/crm-kinds';
import type { CrmChanged } from '../crm/crm.service';
import { inCompany } from '../database/background-work';
import { RealtimeGateway } from './realtime.gateway';
import { conversationRoom, inLocale } from './server-events';

/**
 * When a CRM object's name or status changes, every page showing a conversation that links to it gets the
 * new link, rendered once per language; nobody else gets anything. A deleted object becomes a plain link.
 */
@Injectable()
export class ObjectLinkBroadcaster {
  private readonly logger = new Logger('object-links');

  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: RealtimeGateway,
    private readonly renderer: ChatRenderer,
  ) {}

  @OnEvent('crm.changed', { async: true, promisify: true })
  async changed(event: CrmChanged): Promise<void> {
    await inCompany(this.orm, event.companyId, this.logger, async (em) => {
      const rows = await em
        .getConnection()
        .execute<{ conversation_id: number }[]>(`select distinct conversation_id from message_link where company_id = ? and kind = ? and object_id = ?`, [
          event.companyId,
          event.kind,
          event.id,
        ]);
      if (rows.length === 0) return;
      const record = event.deleted ? null : await em.findOne(kindOf(event.kind)!.entity, { id: event.id });
      const object: LinkedObject | null = record ? linkedObject(event.kind, record) : null;
      const rooms = rows.map((r) => conversationRoom(r.conversation_id));
      for (const locale of this.gateway.localesFor(rooms)) {
        const html = object
          ? this.renderer.render('chat/_object-link.njk', locale, { o: object, oob: true })
          : `<a class="object-${event.kind}-${event.id}" href="/crm/${event.kind}/${event.id}" hx-swap-oob="outerHTML:.object-${event.kind}-${event.id}">/crm/${event.kind}/${event.id}</a>`;
        this.gateway.server.to(rooms.map((room) => inLocale(room, locale))).emit('html', html);
      }
    });
  }
}
