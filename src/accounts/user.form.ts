import { z } from 'zod';
import { field, FieldErrors, FormValues, parseForm } from '../web/form';
import { Role, ROLES } from './user.entity';

export type AccessMethod = 'password' | 'invite';

export interface UserInput {
  name: string;
  email: string;
  role: Role;
  livechatConfigured: boolean;
  callbackConfigured: boolean;
  supportAgent: boolean;
}

export interface NewUserInput extends UserInput {
  access: AccessMethod;
  password: string;
}

export interface ParsedForm<T> {
  values: FormValues;
  errors: FieldErrors;
  input?: T;
}

const userForm = {
  name: field.text(120),
  email: field.email(),
  role: field.defaulted('user', field.choice(ROLES)),
  livechatConfigured: field.checkbox(),
  callbackConfigured: field.checkbox(),
  supportAgent: field.checkbox(),
};

/** Checkboxes come back as 'on' or nothing, and choices that were left empty as their defaults. */
function shown(values: FormValues, defaults: Record<string, string>): FormValues {
  for (const name of ['livechatConfigured', 'callbackConfigured', 'supportAgent']) values[name] = ['on', 'true', '1'].includes(values[name]) ? 'on' : '';
  for (const [name, value] of Object.entries(defaults)) values[name] ||= value;
  return values;
}

export function parseUserForm(body: unknown): ParsedForm<UserInput> {
  const { values, errors, data } = parseForm(userForm, body);
  return { values: shown(values, { role: 'user' }), errors, input: data };
}

/** A new user gets either an initial password typed by the admin, or a one-time invite link. */
export function parseNewUserForm(body: unknown, fixedRole?: Role): ParsedForm<NewUserInput> {
  const access = field.defaulted('password', z.enum(['password', 'invite'], { error: 'form.invalidChoice' }));
  const fields = { ...userForm, ...(fixedRole ? { role: z.any().transform(() => fixedRole) } : {}), access, password: z.string() };
  const { values, errors, data } = parseForm(fields, body);
  if (!errors.access && (values.access || 'password') === 'password') {
    const password = field.password().safeParse(values.password);
    if (!password.success) errors.password = (password.error.issues[0].message as never) ?? 'form.invalid';
  }
  // The password is never sent back into the form, only the rest of what was typed.
  const { password, ...rest } = values;
  const input = data && !errors.password ? { ...data, role: fixedRole ?? data.role } : undefined;
  return { values: shown(rest, { role: fixedRole ?? 'user', access: 'password' }), errors, input: input && { ...input, password } };
}
