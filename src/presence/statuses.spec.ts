import { Company } from '../accounts/company.entity';
import { User } from '../accounts/user.entity';
import { allowedStatuses, shownStatus } from './statuses';

describe('presence statuses', () => {
  const user = (livechat: boolean, callback: boolean, apiAddon: boolean) => {
    const company = new Company('C', 'enterprise', apiAddon);
    const u = new User(company, 'U', 'u@example.com', 'user');
    u.livechatConfigured = livechat;
    u.callbackConfigured = callback;
    return { u, company };
  };

  it('offers the consultant statuses only to configured users of a company with the API add-on', () => {
    const plain = ['available', 'invisible', 'offline', 'busy'];
    let { u, company } = user(true, true, true);
    expect(allowedStatuses(u, company)).toEqual(['available', 'livechat', 'callback', 'livechat-callback', 'invisible', 'offline', 'busy']);
    ({ u, company } = user(true, false, true));
    expect(allowedStatuses(u, company)).toEqual(['available', 'livechat', 'invisible', 'offline', 'busy']);
    ({ u, company } = user(true, true, false));
    expect(allowedStatuses(u, company)).toEqual(plain);
    ({ u, company } = user(false, false, true));
    expect(allowedStatuses(u, company)).toEqual(plain);
  });

  it('shows others offline for a user with no open page, an invisible one or an offline one', () => {
    expect(shownStatus('available', false)).toBe('offline');
    expect(shownStatus('busy', false)).toBe('offline');
    expect(shownStatus('invisible', true)).toBe('offline');
    expect(shownStatus('offline', true)).toBe('offline');
    expect(shownStatus('busy', true)).toBe('busy');
    for (const s of ['available', 'livechat', 'callback', 'livechat-callback'] as const) expect(shownStatus(s, true)).toBe('available');
  });
});
