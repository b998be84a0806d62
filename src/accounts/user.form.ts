import { checkbox, FieldErrors, FormValues, oneOf, requireEmail, requirePassword, requireText, text } from '../web/form';
import { Role, ROLES } from './user.entity';

export type AccessMethod = 'password' | 'invite';

export interface UserInput {
  name: string;
  email: string;
  role: Role;
  livechatConfigured: boolean;
  callbackConfigured: boolean;
}

export interface NewUserInput extends UserInput {
  access: AccessMethod;
  password: string;
}

export interface ParsedForm<T> {
  values: FormValues;
  errors: FieldErrors;
  input: T;
}

export function parseUserForm(body: unknown): ParsedForm<UserInput> {
  const errors: FieldErrors = {};
  const values = {
    name: text(body, 'name'),
    email: text(body, 'email'),
    role: text(body, 'role') || 'user',
    livechatConfigured: checkbox(body, 'livechatConfigured') ? 'on' : '',
    callbackConfigured: checkbox(body, 'callbackConfigured') ? 'on' : '',
  };
  const input: UserInput = {
    name: requireText(errors, 'name', values.name, 120),
    email: requireEmail(errors, 'email', values.email),
    role: oneOf(errors, 'role', values.role, ROLES),
    livechatConfigured: values.livechatConfigured === 'on',
    callbackConfigured: values.callbackConfigured === 'on',
  };
  return { values, errors, input };
}

/** A new user gets either an initial password typed by the admin, or a one-time invite link. */
export function parseNewUserForm(body: unknown, fixedRole?: Role): ParsedForm<NewUserInput> {
  const parsed = parseUserForm(fixedRole ? { ...(body as object), role: fixedRole } : body);
  const access = text(body, 'access') || 'password';
  const password = text(body, 'password');
  const values = { ...parsed.values, access };
  const errors = parsed.errors;
  oneOf(errors, 'access', access, ['password', 'invite'] as const);
  if (access === 'password') requirePassword(errors, 'password', password);
  // The password is never sent back into the form, only the rest of what was typed.
  return { values, errors, input: { ...parsed.input, access: access as AccessMethod, password } };
}
