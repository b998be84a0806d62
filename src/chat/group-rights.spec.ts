import { groupRights } from './group-rights';

describe('group rights', () => {
  it('gives administrators and directors every action', () => {
    for (const role of ['admin', 'director'] as const) {
      expect(groupRights(role, ['user', 'user'])).toEqual({ leave: true, edit: true, delete: true, apiToken: true });
    }
  });

  it('lets plain members only leave a group with no administrator or director in it', () => {
    expect(groupRights('user', ['user', 'user'])).toEqual({ leave: true, edit: false, delete: false, apiToken: false });
  });

  it('gives plain members no actions in a group an administrator or director belongs to', () => {
    expect(groupRights('user', ['user', 'director'])).toEqual({ leave: false, edit: false, delete: false, apiToken: false });
    expect(groupRights('user', ['admin'])).toEqual({ leave: false, edit: false, delete: false, apiToken: false });
  });
});
