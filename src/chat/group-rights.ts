import type { Role } from '../accounts/user.entity';

export interface GroupRights {
  leave: boolean;
  edit: boolean;
  delete: boolean;
  apiToken: boolean;
}

const MANAGERS: readonly Role[] = ['admin', 'director'];

export function isManager(role: Role): boolean {
  return MANAGERS.includes(role);
}

/**
 * The seed's rule: administrators and directors get every action; in a group with none of them among its
 * members, the others may only leave; otherwise the others get no gear at all.
 */
export function groupRights(role: Role, memberRoles: readonly Role[]): GroupRights {
  if (isManager(role)) return { leave: true, edit: true, delete: true, apiToken: true };
  const managed = memberRoles.some(isManager);
  return { leave: !managed, edit: false, delete: false, apiToken: false };
}
