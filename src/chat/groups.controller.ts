import { EntityManager } from '@mikro-orm/postgresql';
import { Body, Controller, Delete, ForbiddenException, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { User } from '../accounts/user.entity';
import { LimitsService } from '../security/limits.service';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { isHtmx, redirect, render } from '../web/view';
import { ChatEnabled } from './chat-enabled.guard';
import { ConversationsService } from './conversations.service';
import { parseGroupForm } from './group.form';

/** Groups: any user creates one; administrators and directors edit and delete them; members may leave (see group-rights). */
@Controller('chat/groups')
@UseGuards(ChatEnabled)
export class GroupsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly em: EntityManager,
    private readonly limits: LimitsService,
  ) {}

  @Get('new')
  async new(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    render(
      req,
      res,
      'chat/group-form',
      { group: null, values: { name: '', memberIds: [] }, errors: {}, colleagues: await this.colleagues(req) },
      { fragment: 'chat/_group-form' },
    );
  }

  @Post()
  async create(@Req() req: GwarRequest, @Res() res: Response, @Body() body: Record<string, unknown>): Promise<void> {
    const { values, errors, input } = parseGroupForm(body);
    const limit = input ? await this.limits.consume('groups', req.auth!.user.id) : undefined;
    if (limit && !limit.allowed) {
      res.set('Retry-After', String(limit.retryAfterSeconds));
      errors.form = 'limits.tooOften';
    }
    if (!input || !limit?.allowed) {
      return render(
        req,
        res,
        'chat/group-form',
        { group: null, values, errors, colleagues: await this.colleagues(req) },
        { fragment: 'chat/_group-form', status: input ? 429 : 422 },
      );
    }
    const group = await this.conversations.createGroup(req.auth!.user, input);
    this.opened(req, res, group.id);
  }

  @Get(':id/edit')
  async edit(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const open = await this.conversations.open(req.auth!.user, idParam(id));
    if (open.conversation.kind !== 'group' || !open.rights.edit) throw new ForbiddenException();
    const values = { name: open.conversation.name ?? '', memberIds: open.members.map((m) => m.user.id) };
    render(
      req,
      res,
      'chat/group-form',
      { group: open.conversation, values, errors: {}, colleagues: await this.colleagues(req) },
      { fragment: 'chat/_group-form' },
    );
  }

  @Post(':id')
  async update(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const open = await this.conversations.open(req.auth!.user, idParam(id));
    const { values, errors, input } = parseGroupForm(body);
    if (!input) {
      return render(
        req,
        res,
        'chat/group-form',
        { group: open.conversation, values, errors, colleagues: await this.colleagues(req) },
        { fragment: 'chat/_group-form', status: 422 },
      );
    }
    await this.conversations.updateGroup(req.auth!.user, open, input);
    this.opened(req, res, open.conversation.id);
  }

  @Delete(':id')
  async destroy(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.conversations.deleteGroup(await this.conversations.open(req.auth!.user, idParam(id)));
    this.done(req, res);
  }

  /** Leaving is deleting one's own membership. */
  @Delete(':id/membership')
  async leave(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.conversations.leave(await this.conversations.open(req.auth!.user, idParam(id)));
    this.done(req, res);
  }

  /** After a create or edit the page opens the group's window; the form's place is left empty. */
  private opened(req: GwarRequest, res: Response, conversationId: number): void {
    if (!isHtmx(req)) return redirect(req, res, `/chat/conversations/${conversationId}`);
    res
      .set('HX-Trigger', JSON.stringify({ 'chat:open': { conversationId } }))
      .status(200)
      .send('');
  }

  /** The pushes that follow a deletion or a leave close the window and update the panel on every page. */
  private done(req: GwarRequest, res: Response): void {
    if (isHtmx(req)) return void res.status(204).end();
    redirect(req, res, '/');
  }

  private colleagues(req: GwarRequest): Promise<User[]> {
    return this.em.find(User, { active: true, id: { $ne: req.auth!.user.id } }, { orderBy: { name: 'asc' } });
  }
}
