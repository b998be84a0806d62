import { Body, Controller, Delete, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ChatEnabled } from '../chat/chat-enabled.guard';
import { ConversationsService, OpenConversation } from '../chat/conversations.service';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { translator } from '../web/i18n/translator';
import { Scope, SCOPES } from './group-api-token.entity';
import { GroupTokensService, parseOrigins } from './group-tokens.service';
import { WebhooksService } from './webhooks.service';
import { renderTokenDialog } from './api-token.view';

const INTEGRATION_NAME_MAX = 100;

/** A group's API token, managed from the group's gear by its administrators and directors. */
@Controller('chat/groups/:id/api-token')
@UseGuards(ChatEnabled)
export class GroupTokensController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly tokens: GroupTokensService,
    private readonly webhooks: WebhooksService,
  ) {}

  @Get()
  async show(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const open = await this.conversations.open(req.auth!.user, idParam(id));
    this.tokens.assertManages(req.auth!.user, open);
    await this.page(req, res, open, {
      token: await this.tokens.current(open),
      integration: await this.tokens.integration(open),
      origins: null,
      errors: {},
    });
  }

  /** Generates a token, or regenerates it (the old one stops working at once); with action=origins only saves the origins. */
  @Post()
  async create(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const me = req.auth!.user;
    const open = await this.conversations.open(me, idParam(id));
    this.tokens.assertManages(me, open);
    const typed = typeof body.origins === 'string' ? body.origins : '';
    const { origins, invalid } = parseOrigins(typed);
    const typedName = typeof body.integrationName === 'string' ? body.integrationName : undefined;
    // A form without the scope boxes (an older page, a script) grants what a token always could: posting.
    const scopes = 'scopesShown' in body ? SCOPES.filter((s) => [body.scopes].flat().includes(s)) : (['post'] as Scope[]);
    const name = typedName?.trim() || (await this.tokens.integration(open))?.name || translator(req.locale)('api.integration');
    const errors = {
      ...(invalid.length ? { origins: invalid.join(', ') } : {}),
      ...([...name].length > INTEGRATION_NAME_MAX ? { integrationName: 'api.integrationNameTooLong' } : {}),
    };
    if (Object.keys(errors).length) {
      const current = await this.tokens.current(open);
      const integration = await this.tokens.integration(open);
      return this.page(req, res, open, { token: current, integration, origins: typed, integrationName: typedName, errors }, 422);
    }
    if (body.action === 'origins') {
      await this.tokens.updateOrigins(me, open, origins, scopes);
      const integration = await this.tokens.integration(open);
      return this.page(req, res, open, { token: await this.tokens.current(open), integration, origins: null, errors: {}, saved: true });
    }
    const raw = await this.tokens.generate(me, open, origins, name, scopes);
    const integration = await this.tokens.integration(open);
    await this.page(req, res, open, { token: await this.tokens.current(open), integration, origins: null, errors: {}, raw }, 201);
  }

  @Delete()
  async destroy(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const open = await this.conversations.open(req.auth!.user, idParam(id));
    await this.tokens.revoke(req.auth!.user, open);
    await this.page(req, res, open, {
      token: null,
      integration: await this.tokens.integration(open),
      origins: null,
      errors: {},
      revoked: true,
    });
  }

  private page(req: GwarRequest, res: Response, open: OpenConversation, context: object, status = 200): Promise<void> {
    return renderTokenDialog(req, res, open, this.webhooks, context, status);
  }
}
