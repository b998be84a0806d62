/** The statuses under which a user takes Livechat conversations (product §3). */
export const LIVECHAT_STATUSES = ['livechat', 'livechat-callback'] as const;

/**
 * On duty (`u` is app_user; the statement names u's company itself, so that each says its company): an active user configured for
 * Livechat, whose chosen status is a Livechat one and whom others see online. That is presence's own `shown`,
 * which turns offline only after the grace period once the last page closed: a consultant going from one page to
 * the next (a moment without a socket) keeps their chats, and a status kept from yesterday with no page answers
 * nobody.
 */
export const ON_DUTY = `u.active and u.livechat_configured
  and exists (select 1 from presence p where p.user_id = u.id and p.company_id = u.company_id
               and p.status in ('livechat', 'livechat-callback') and p.shown <> 'offline')`;
