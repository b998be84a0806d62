import type { Company } from '../accounts/company.entity';
import { has } from '../accounts/plans';
import type { User } from '../accounts/user.entity';

export const STATUSES = ['available', 'livechat', 'callback', 'livechat-callback', 'invisible', 'offline', 'busy'] as const;
export type Status = (typeof STATUSES)[number];

/** What others see: a user with no open page, invisible or offline shows as offline. */
export type Shown = 'available' | 'busy' | 'offline';

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/** Statuses only a consultant has: the plan must have them (the API add-on), and the user the matching configuration. */
export const CONSULTANT_STATUSES: readonly Status[] = ['livechat', 'callback', 'livechat-callback'];

export function allowedStatuses(user: User, company: Company): Status[] {
  const consultant = has(company, 'consultantStatuses');
  const livechat = consultant && has(company, 'livechat') && user.livechatConfigured;
  const callback = consultant && has(company, 'callback') && user.callbackConfigured;
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
