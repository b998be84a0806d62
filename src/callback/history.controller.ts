import { Controller, ForbiddenException, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { SignedIn } from '../accounts/access.guards';
import { requireFeature } from '../accounts/plan-refusal';
import { sql } from '../livechat/sql';
import { EntityManager } from '@mikro-orm/postgresql';
import { optional } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { translator } from '../web/i18n/translator';
import { render } from '../web/view';
import { csvRow } from '../web/csv';
import { CallbackHistory, HistoryFilter, STATUSES } from './history.service';
import { CallbackSettingsService } from './settings.service';

const DAY = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(v)));

function filterOf(query: Record<string, unknown>): HistoryFilter {
  return {
    status: optional(z.enum(STATUSES), query.status),
    consultant: optional(
      z
        .string()
        .regex(/^[1-9]\d{0,8}$/)
        .transform(Number),
      query.consultant,
    ),
    from: optional(DAY, query.from),
    to: optional(DAY, query.to),
    overdue: query.overdue === '1' || query.overdue === 'on',
  };
}

/** All requests, with filters, the median time to the first call and the share within the SLA; and as CSV. Callback users and admins. */
@Controller('callback/history')
@UseGuards(SignedIn)
export class CallbackHistoryController {
  constructor(
    private readonly history: CallbackHistory,
    private readonly settings: CallbackSettingsService,
    private readonly em: EntityManager,
  ) {}

  @Get()
  async index(@Req() req: GwarRequest, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const companyId = this.allowed(req);
    const { slaMinutes } = await this.settings.of(companyId);
    const filter = filterOf(query);
    const consultants = await sql<{ id: number; name: string }>(
      this.em,
      `select u.id, u.name from app_user u where u.company_id = ? and u.callback_configured order by u.name`,
      [companyId],
    );
    render(req, res, 'callback/history', {
      filter,
      consultants,
      statuses: STATUSES,
      slaMinutes,
      rows: await this.history.list(companyId, slaMinutes, filter),
      stats: await this.history.stats(companyId, slaMinutes, filter),
      csvQuery: new URLSearchParams(Object.entries(query).filter(([, v]) => typeof v === 'string') as [string, string][]).toString(),
    });
  }

  @Get('export.csv')
  async csv(@Req() req: GwarRequest, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const companyId = this.allowed(req);
    const { slaMinutes } = await this.settings.of(companyId);
    const t = req.t;
    const rows = await this.history.list(companyId, slaMinutes, filterOf(query), 100_000);
    const head = ['id', 'phone', 'name', 'topic', 'source', 'status', 'attempts', 'consultant', 'created', 'first_call', 'closed', 'overdue', 'note'];
    let body = '\ufeff' + csvRow(head);
    for (const r of rows)
      body += csvRow([
        r.id,
        r.phone,
        r.name,
        r.topic,
        t(`callback.source.${r.source}` as never),
        t(`callback.status.${r.status}` as never),
        r.attempts,
        r.consultantName ?? '',
        r.createdAt,
        r.firstCallAt,
        r.closedAt,
        r.overdue ? 'yes' : 'no',
        r.note,
      ]);
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="callbacks.csv"' }).send(body);
  }

  private allowed(req: GwarRequest): number {
    const { user, company } = req.auth!;
    requireFeature(company, 'callback');
    if (!user.callbackConfigured && user.role !== 'admin') throw new ForbiddenException();
    return company.id;
  }
}
