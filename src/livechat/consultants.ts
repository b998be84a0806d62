import { SOCKET_STALE_SECONDS } from '../presence/presence.service';

/** The statuses under which a user takes Livechat conversations (product §3). */
export const LIVECHAT_STATUSES = ['livechat', 'livechat-callback'] as const;

/**
 * On duty (`u` is app_user, `company` the SQL of the company's id): an active user of the company configured for
 * Livechat, whose chosen status is a Livechat one and who has a page open (a status kept from yesterday, with no
 * page, answers nobody).
 */
export const onDuty = (company: string) => `u.company_id = ${company} and u.active and u.livechat_configured
  and exists (select 1 from presence p where p.user_id = u.id and p.company_id = u.company_id and p.status in ('livechat', 'livechat-callback'))
  and exists (select 1 from presence_socket s where s.user_id = u.id and s.company_id = u.company_id
               and s.seen_at > now() - make_interval(secs => ${SOCKET_STALE_SECONDS}))`;
/** The same with the company as a parameter. */
export const ON_DUTY = onDuty('?');
