/** The statuses under which a user sees the "CallBack" group (product §3). */
export const CALLBACK_STATUSES = ['callback', 'livechat-callback'] as const;

/**
 * On duty for Callback (`u` is app_user): active, configured for Callback, in a Callback status, and shown online
 * (presence's `shown` turns offline only after the grace period once the last page closed).
 */
export const CALLBACK_ON_DUTY = `u.active and u.callback_configured
  and exists (select 1 from presence p where p.user_id = u.id and p.company_id = u.company_id
               and p.status in ('callback', 'livechat-callback') and p.shown <> 'offline')`;
