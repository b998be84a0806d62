/** The statuses under which a user takes Livechat conversations (product §3). */
export const LIVECHAT_STATUSES = ['livechat', 'livechat-callback'] as const;

/**
 * On duty (`u` is app_user, `company` the SQL of the company's id): an active user of the company configured for
 * Livechat, whose chosen status is a Livechat one and whom others see online. That is presence's own `shown`,
 * which turns offline only after the grace period once the last page closed: a consultant going from one page to
 * the next (a moment without a socket) keeps their chats, and a status kept from yesterday with no page answers
 * nobody.
 */
export const onDuty = (company: string) => `u.company_id = ${company} and u.active and u.livechat_configured
  and exists (select 1 from presence p where p.user_id = u.id and p.company_id = u.company_id
               and p.status in ('livechat', 'livechat-callback') and p.shown <> 'offline')`;
/** The same with the company as a parameter. */
export const ON_DUTY = onDuty('?');
