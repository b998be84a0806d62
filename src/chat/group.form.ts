import { FieldErrors, requireText, text } from '../web/form';
import { GROUP_MAX_MEMBERS, GroupInput } from './conversations.service';

export function parseGroupForm(body: Record<string, unknown>): { values: { name: string; memberIds: number[] }; errors: FieldErrors; input: GroupInput } {
  const errors: FieldErrors = {};
  const raw = body.members === undefined ? [] : Array.isArray(body.members) ? body.members : [body.members];
  const memberIds = [...new Set(raw.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0))];
  const values = { name: text(body, 'name'), memberIds };
  const name = requireText(errors, 'name', values.name, 100);
  if (memberIds.length + 1 > GROUP_MAX_MEMBERS) errors.members = 'groups.tooManyMembers';
  return { values, errors, input: { name, memberIds } };
}
