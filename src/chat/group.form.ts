import { z } from 'zod';
import { field, optional, parseForm } from '../web/form';
import { GROUP_MAX_MEMBERS, GroupInput } from './conversations.service';

const ticked = field.many(z.string());

const groupForm = {
  name: field.text(100),
  members: ticked
    .pipe(z.array(field.ref()))
    .transform((ids) => [...new Set(ids)])
    .refine((ids) => ids.length + 1 <= GROUP_MAX_MEMBERS, 'groups.tooManyMembers'),
};

/** The typed name and the ticked members (those that read as ids), so a form that comes back keeps them. */
export function parseGroupForm(body: Record<string, unknown>) {
  const { values, errors, data } = parseForm(groupForm, body);
  const memberIds = data?.members ?? (optional(ticked, body.members) ?? []).filter((v) => /^\d{1,10}$/.test(v)).map(Number);
  return { values: { name: values.name, memberIds }, errors, input: data && ({ name: data.name, memberIds: data.members } satisfies GroupInput) };
}
