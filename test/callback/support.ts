import request from 'supertest';
import type { TestApp } from '../support/test-app';
import { livechatCompany, ORIGIN } from '../support/livechat';

/** A company with the widget and Callback on (settings written straight in, as the admin's form would). */
export async function callbackCompany(
  t: TestApp,
  settings: Partial<{
    retrySeconds: number;
    maxAttempts: number;
    claimSeconds: number;
    dailyLimit: number;
    challengeAfter: number;
    defaultCountry: string;
  }> = {},
  options: { apiAddon?: boolean } = {},
) {
  const made = await livechatCompany(t, {}, options);
  await t
    .em()
    .getConnection()
    .execute(
      `insert into callback_settings (company_id, enabled, default_country, retry_seconds, max_attempts, claim_seconds, daily_limit, challenge_after, work_days, work_start, work_end)
       values (?, true, ?, ?, ?, ?, ?, ?, '{1,2,3,4,5,6,7}', '00:00', '23:59')`,
      [
        made.company.id,
        settings.defaultCountry ?? 'PL',
        settings.retrySeconds ?? 600,
        settings.maxAttempts ?? 3,
        settings.claimSeconds ?? 600,
        settings.dailyLimit ?? 500,
        settings.challengeAfter ?? 20,
      ],
    );
  return made;
}

export function postCallback(t: TestApp, key: string, body: Record<string, unknown>, origin = ORIGIN, ip?: string) {
  let r = request(t.url).post('/api/v1/callbacks').set('X-Widget-Key', key).set('Origin', origin);
  if (ip) r = r.set('X-Forwarded-For', ip);
  return r.send({ consent: true, ...body });
}

export async function requestRows(t: TestApp, companyId: number) {
  return t.em().getConnection().execute<
    {
      id: number;
      phone: string;
      status: string;
      consultant_id: number | null;
      attempts: number;
      asked_count: number;
      source: string;
      not_before: Date | null;
    }[]
  >(`select id, phone, status, consultant_id, attempts, asked_count, source, not_before from callback_request where company_id = ? order by id`, [companyId]);
}
