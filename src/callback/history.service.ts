import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../livechat/sql';
import { STATUSES, Status, when } from './requests.service';

export interface HistoryFilter {
  status?: Status;
  consultant?: number;
  from?: string;
  to?: string;
  overdue?: boolean;
}

export interface HistoryRow {
  id: number;
  phone: string;
  name: string;
  topic: string;
  source: string;
  status: Status;
  attempts: number;
  consultantName: string | null;
  createdAt: Date;
  firstCallAt: Date | null;
  closedAt: Date | null;
  note: string;
  overdue: boolean;
}

export { STATUSES };

/**
 * Every request of a company with filters, and how the queue does: the median time from a request to its first
 * call, and the share first called within the SLA (counted from the preferred time when one was asked for).
 */
@Injectable()
export class CallbackHistory {
  constructor(private readonly em: EntityManager) {}

  private where(slaMinutes: number, f: HistoryFilter): { clause: string; params: unknown[] } {
    const parts = ['true'];
    const params: unknown[] = [];
    if (f.status) (parts.push('r.status = ?'), params.push(f.status));
    if (f.consultant) (parts.push('r.consultant_id = ?'), params.push(f.consultant));
    if (f.from) (parts.push('r.created_at >= ?::date'), params.push(f.from));
    if (f.to) (parts.push(`r.created_at < ?::date + 1`), params.push(f.to));
    if (f.overdue) {
      parts.push(`coalesce(${LATE}, false)`);
      params.push(slaMinutes);
    }
    return { clause: parts.join(' and '), params };
  }

  async list(companyId: number, slaMinutes: number, f: HistoryFilter, limit = 500): Promise<HistoryRow[]> {
    const { clause, params } = this.where(slaMinutes, f);
    const rows = await sql<Record<string, unknown>>(
      this.em,
      `select r.id, r.phone, r.name, r.topic, r.source, r.status, r.attempts, u.name as consultant_name, r.created_at, r.first_call_at, r.closed_at, r.note,
              coalesce(${LATE}, false) as overdue
         from callback_request r left join app_user u on u.id = r.consultant_id and u.company_id = r.company_id
        where r.company_id = ? and ${clause} order by r.created_at desc, r.id desc limit ${Math.trunc(limit)}`,
      [slaMinutes, companyId, ...params],
    );
    return rows.map((r) => ({
      id: r.id as number,
      phone: r.phone as string,
      name: r.name as string,
      topic: r.topic as string,
      source: r.source as string,
      status: r.status as Status,
      attempts: r.attempts as number,
      consultantName: (r.consultant_name as string | null) ?? null,
      createdAt: new Date(r.created_at as string),
      firstCallAt: when(r.first_call_at),
      closedAt: when(r.closed_at),
      note: r.note as string,
      overdue: r.overdue as boolean,
    }));
  }

  async stats(
    companyId: number,
    slaMinutes: number,
    f: HistoryFilter,
  ): Promise<{ total: number; called: number; medianSeconds: number | null; withinSla: number | null }> {
    const { clause, params } = this.where(slaMinutes, f);
    const [row] = await sql<{ total: number; called: number; median: number | null; within: number | null }>(
      this.em,
      `select count(*)::int as total, count(r.first_call_at)::int as called,
              percentile_cont(0.5) within group (order by extract(epoch from r.first_call_at - r.created_at)) filter (where r.first_call_at is not null) as median,
              avg(case when r.first_call_at <= coalesce(r.preferred_at, r.created_at) + make_interval(mins => ?) then 1.0 else 0.0 end)
                filter (where r.first_call_at is not null or r.closed_at is not null or coalesce(r.preferred_at, r.created_at) + make_interval(mins => ?) < now()) as within
         from callback_request r where r.company_id = ? and ${clause}`,
      [slaMinutes, slaMinutes, companyId, ...params],
    );
    return {
      total: row.total,
      called: row.called,
      medianSeconds: row.median === null ? null : Number(row.median),
      withinSla: row.within === null ? null : Number(row.within),
    };
  }
}

/** Called after the SLA, or not yet called and past it. */
const LATE = `coalesce(r.first_call_at, case when r.status in ('waiting', 'calling') then now() end) > coalesce(r.preferred_at, r.created_at) + make_interval(mins => ?)`;
