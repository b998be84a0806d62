import { Body, Controller, ForbiddenException, Get, HttpCode, NotFoundException, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { SignedIn } from '../accounts/access.guards';
import { requireFeature } from '../accounts/plan-refusal';
import type { GwarRequest } from '../web/gwar-request';
import { translator } from '../web/i18n/translator';
import { idParam } from '../web/id-param';
import { redirect, render } from '../web/view';
import { z } from 'zod';
import type { User } from '../accounts/user.entity';
import { field, parseForm } from '../web/form';
import type { LiveChat } from './chats.service';
import { LivechatConversations, PAGE_SIZE, seesAll } from './conversations.service';
import { filterQuery, LIST_STATES, readCursor, readFilters } from './conversations.filters';
import { csvRow } from '../web/csv';
import { LivechatTransfers } from './transfer.service';
import { VisitorDetailsService } from './visitor-details';

/**
 * "Livechat conversations" (the gear's entry): the list with its filters, a chat's transcript, and the filtered
 * list as CSV. Directors and admins see every chat of their company; a user flagged for Livechat those they
 * handled; anyone else is refused, and a chat the viewer may not read is a 404.
 */
@Controller('livechat')
@UseGuards(SignedIn)
export class ConversationsController {
  constructor(
    private readonly conversations: LivechatConversations,
    private readonly details: VisitorDetailsService,
    private readonly transfers: LivechatTransfers,
  ) {}

  @Get('conversations')
  async index(@Req() req: GwarRequest, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const me = this.viewer(req);
    const filters = readFilters(query);
    const rows = await this.conversations.list(me, filters, readCursor(query.before), PAGE_SIZE + 1);
    const more = rows.length > PAGE_SIZE;
    const page = rows.slice(0, PAGE_SIZE);
    const q = filterQuery(filters);
    render(req, res, 'livechat/conversations', {
      rows: page,
      filters,
      states: LIST_STATES,
      consultants: seesAll(me) ? await this.conversations.consultants(me) : [],
      query: q,
      paged: readCursor(query.before) !== undefined,
      next: more ? `/livechat/conversations?${q ? `${q}&` : ''}before=${page[page.length - 1].id}` : null,
    });
  }

  /** Every chat the filters select (not only one page), in batches; cells a spreadsheet would run are defused. */
  @Get('conversations.csv')
  async csv(@Req() req: GwarRequest, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const me = this.viewer(req);
    const t = translator(res.locals.locale ?? 'en');
    const filters = readFilters(query);
    const stamp = new Date().toISOString().slice(0, 10);
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="livechat-conversations-${stamp}.csv"`,
      'Cache-Control': 'no-store',
    });
    // A byte-order mark, so a spreadsheet reads the Polish letters as UTF-8.
    res.write('\ufeff');
    res.write(
      csvRow(
        ['chat', 'started', 'ended', 'state', 'visitor', 'email', 'consultant', 'rating', 'ratingComment', 'messages'].map((k) =>
          t(`livechat.csv.${k}` as never),
        ),
      ),
    );
    let before: number | undefined;
    for (;;) {
      const rows = await this.conversations.list(me, filters, before, 500);
      for (const r of rows)
        res.write(
          csvRow([
            r.id,
            r.createdAt,
            r.closedAt,
            t(`livechat.state.${r.state}`),
            r.visitorName,
            r.visitorEmail,
            r.consultantName,
            r.rating,
            r.ratingComment,
            r.messages,
          ]),
        );
      if (rows.length < 500) break;
      before = rows[rows.length - 1].id;
    }
    res.end();
  }

  @Get('conversations/:id')
  async transcript(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const me = this.viewer(req);
    const chat = await this.conversations.readable(me, idParam(id));
    render(req, res, 'livechat/transcript', await this.transcriptModel(me, chat));
  }

  /**
   * A director or an admin gives any open (or waiting) chat of the company to a consultant on duty below the cap,
   * with a note: the transfer's own checks and refusals, under the routing lock. A consultant transfers only their
   * own chat, from its page.
   */
  @Post('conversations/:id/transfer')
  @HttpCode(200)
  async reassign(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const me = this.viewer(req);
    if (!seesAll(me)) throw new ForbiddenException();
    const chat = await this.conversations.readable(me, idParam(id));
    if (chat.status === 'closed') throw new NotFoundException();
    const form = parseForm({ to: field.ref(), note: z.string().trim().max(1000, 'form.tooLong') }, body);
    const refusal = form.data ? await this.transfers.transfer(me, chat, form.data.to, form.data.note, 'any') : null;
    if (form.data && !refusal) return redirect(req, res, `/livechat/conversations/${chat.id}`);
    const transfer = { values: form.values, errors: refusal ? { to: refusal.error } : form.errors, name: refusal?.name, cap: refusal?.cap };
    render(req, res, 'livechat/transcript', await this.transcriptModel(me, chat, transfer), { fragment: 'livechat/_transfer-form', status: 422 });
  }

  private async transcriptModel(me: User, chat: LiveChat, transfer: object = { values: {}, errors: {} }) {
    const open = seesAll(me) && chat.status !== 'closed';
    return {
      chat,
      ...(await this.conversations.transcript(chat)),
      details: await this.details.of(chat),
      transfers: await this.transfers.of(chat),
      // A director's or an admin's form to give the chat to a consultant (the transfer form, aimed here).
      ...(open
        ? {
            reassign: true,
            candidates: await this.transfers.candidates(me, chat.consultantId),
            transfer,
            transferAction: `/livechat/conversations/${chat.id}/transfer`,
            transferLegend: 'livechat.reassign',
            transferHint: 'livechat.reassignHint',
          }
        : {}),
    };
  }

  private viewer(req: GwarRequest) {
    const { user, company } = req.auth!;
    requireFeature(company, 'livechat');
    if (!seesAll(user) && !user.livechatConfigured) throw new ForbiddenException();
    return user;
  }
}
