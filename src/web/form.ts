import type { MessageKey } from './i18n/en';

export type FieldErrors = Record<string, MessageKey>;

/** A form's typed values as strings, so a form that comes back shows exactly what was sent. */
export type FormValues = Record<string, string>;

export function text(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

export function checkbox(body: unknown, name: string): boolean {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return value === 'on' || value === 'true' || value === '1';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function requireText(errors: FieldErrors, field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (!trimmed) errors[field] = 'form.required';
  else if (trimmed.length > max) errors[field] = 'form.tooLong';
  return trimmed;
}

export function requireEmail(errors: FieldErrors, field: string, value: string): string {
  const email = value.trim().toLowerCase();
  if (!email) errors[field] = 'form.required';
  else if (email.length > 254) errors[field] = 'form.tooLong';
  else if (!EMAIL.test(email)) errors[field] = 'form.emailInvalid';
  return email;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

export function requirePassword(errors: FieldErrors, field: string, value: string): string {
  if (!value) errors[field] = 'form.required';
  else if (value.length < PASSWORD_MIN) errors[field] = 'form.passwordTooShort';
  else if (value.length > PASSWORD_MAX) errors[field] = 'form.tooLong';
  return value;
}

export function oneOf<T extends string>(errors: FieldErrors, field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) errors[field] = 'form.invalidChoice';
  return value as T;
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}
