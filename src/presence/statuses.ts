import type { Company } from '../accounts/company.entity';
import type { User } from '../accounts/user.entity';

export const STATUSES = ['available', 'livechat', 'callback', 'livechat-callback', 'invisible', 'offline', 'busy'] as const;
export type Status = (typeof STATUSES)[number];

/** What others see: a user with no open page, invisible or offline shows as offline. */
export type Shown = 'available' | 'busy' | 'offline';

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/** The consultant statuses need the API add-on and the matching per-user configuration. */
export function allowedStatuses(user: User, company: Company): Status[] {
  const livechat = company.apiAddon && user.livechatConfigured;
  const callback = company.apiAddon && user.callbackConfigured;
  return STATUSES.filter((status) => {
    if (status === 'livechat') return livechat;
    if (status === 'callback') return callback;
    if (status === 'livechat-callback') return livechat && callback;
    return true;
  });
}

export function shownStatus(status: Status, online: boolean): Shown {
  if (!online || status === 'invisible' || status === 'offline') return 'offline';
  return status === 'busy' ? 'busy' : 'available';
}
