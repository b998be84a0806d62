import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Delete, Get, Inject, NotFoundException, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ChatEnabled } from '../chat/chat-enabled.guard';
import { ConversationsService, OpenConversation } from '../chat/conversations.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { GwarRequest } from '../web/gwar-request';
import type { MessageKey } from '../web/i18n/en';
import { idParam } from '../web/id-param';
import { renderTokenDialog } from './api-token.view';
import { GroupTokensService } from './group-tokens.service';
import { avatarPng, readAvatarUpload, TRANSPARENT_PIXEL } from './integration-avatar';
import { Integration } from './integration.entity';
import { WebhooksService } from './webhooks.service';

/**
 * An integration's avatar: uploaded and removed from its group's API token dialog by those who manage the token,
 * and shown to the group's members beside its messages, over its initials on a square (avatar.ts) with a robot's
 * head on top, so that even a person's photo never passes for a member.
 */
@Controller()
@UseGuards(ChatEnabled)
export class IntegrationAvatarsController {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationsService,
    private readonly tokens: GroupTokensService,
    private readonly webhooks: WebhooksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('chat/groups/:id/api-token/avatar')
  async upload(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const { open, integration } = await this.managed(req, id).catch((err: unknown) => {
      req.resume();
      throw err;
    });
    const read = await readAvatarUpload(req);
    if ('error' in read) return this.dialog(req, res, open, integration, { avatarError: read.error }, read.status);
    const png = await avatarPng(read.bytes, this.config.imageMaxPixels);
    if (!png) return this.dialog(req, res, open, integration, { avatarError: 'api.avatarNotImage' }, 422);
    integration.avatar = png;
    integration.avatarUpdatedAt = new Date();
    await this.em.flush();
    await this.dialog(req, res, open, integration, { avatarSaved: true });
  }

  @Delete('chat/groups/:id/api-token/avatar')
  async remove(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const { open, integration } = await this.managed(req, id);
    integration.avatar = null;
    integration.avatarUpdatedAt = null;
    await this.em.flush();
    await this.dialog(req, res, open, integration, { avatarRemoved: true });
  }

  /** Members of the integration's group only; an ETag lets pages revalidate it for nothing. */
  @Get('chat/integrations/:id/avatar')
  async show(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const integration = await this.em.findOne(Integration, idParam(id), { populate: ['avatar'] });
    if (!integration || !(await this.conversations.isMember(req.auth!.user.id, integration.conversation.id))) throw new NotFoundException();
    const tag = integration.avatarUpdatedAt ? `"a${integration.avatarUpdatedAt.getTime()}"` : '"none"';
    res.set({ ETag: tag, 'Cache-Control': 'private, no-cache' });
    if (req.get('If-None-Match') === tag) return void res.status(304).end();
    // Without a picture the initials under it show: a transparent pixel costs no second request.
    res.type('image/png').send(integration.avatar ?? TRANSPARENT_PIXEL);
  }

  private async managed(req: GwarRequest, id: string): Promise<{ open: OpenConversation; integration: Integration }> {
    const me = req.auth!.user;
    const open = await this.conversations.open(me, idParam(id));
    this.tokens.assertManages(me, open);
    // The avatar belongs to the integration, which the first token makes.
    const integration = await this.tokens.integration(open);
    if (!integration) throw new NotFoundException();
    return { open, integration };
  }

  private async dialog(
    req: GwarRequest,
    res: Response,
    open: OpenConversation,
    integration: Integration,
    context: { avatarError?: MessageKey; avatarSaved?: boolean; avatarRemoved?: boolean },
    status = 200,
  ): Promise<void> {
    const token = await this.tokens.current(open);
    await renderTokenDialog(req, res, open, this.webhooks, { token, integration, origins: null, errors: {}, ...context }, status);
  }
}
