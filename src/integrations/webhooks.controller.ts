import { Body, Controller, Delete, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ChatEnabled } from '../chat/chat-enabled.guard';
import { ConversationsService } from '../chat/conversations.service';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { render } from '../web/view';
import { GroupTokensService } from './group-tokens.service';
import { parseWebhookUrl, WebhooksService } from './webhooks.service';

/** A group's outgoing webhook and its delivery log, beside its API token, for the group's administrators and directors. */
@Controller('chat/groups/:id/webhook')
@UseGuards(ChatEnabled)
export class WebhooksController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly tokens: GroupTokensService,
    private readonly webhooks: WebhooksService,
  ) {}

  @Get()
  async show(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const open = await this.conversations.open(req.auth!.user, idParam(id));
    this.tokens.assertManages(req.auth!.user, open);
    await this.part(res, req, open, {});
  }

  @Post()
  async save(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const open = await this.conversations.open(req.auth!.user, idParam(id));
    this.tokens.assertManages(req.auth!.user, open);
    const typed = typeof body.url === 'string' ? body.url : '';
    const url = parseWebhookUrl(typed);
    if (!url) return this.part(res, req, open, { typed, error: 'webhook.urlInvalid' }, 422);
    const saved = await this.webhooks.set(req.auth!.user, open, url);
    if (!saved) return this.part(res, req, open, { typed, error: 'webhook.needsToken' }, 409);
    await this.part(res, req, open, { secret: saved.secret, saved: true });
  }

  @Delete()
  async destroy(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const open = await this.conversations.open(req.auth!.user, idParam(id));
    await this.webhooks.remove(req.auth!.user, open);
    await this.part(res, req, open, { removed: true });
  }

  private async part(res: Response, req: GwarRequest, open: Awaited<ReturnType<ConversationsService['open']>>, context: object, status = 200): Promise<void> {
    render(req, res, 'integrations/_webhook', { groupId: open.conversation.id, webhook: await this.webhooks.view(open), ...context }, { status });
  }
}
