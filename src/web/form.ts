import { z } from 'zod';
import type { MessageKey } from './i18n/en';
import { isMessageKey } from './i18n/translator';

/**
 * Every form, REST body and socket event is read through a zod schema; a form's field schemas take the
 * strings a browser sends and name their problems with message keys, so the form comes back translated.
 */
export type FieldErrors = Record<string, MessageKey>;

/** A form's typed values as strings, so a form that comes back shows exactly what was sent. */
export type FormValues = Record<string, string>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;
const INT4_MAX = 2_147_483_647;

export const field = {
  text: (max: number) => z.string().trim().min(1, 'form.required').max(max, 'form.tooLong'),
  optionalText: (max: number) => z.string().trim().max(max, 'form.tooLong'),
  email: () =>
    z
      .string()
      .trim()
      .toLowerCase()
      .min(1, 'form.required')
      .max(254, 'form.tooLong')
      .regex(EMAIL, 'form.emailInvalid'),
  password: () => z.string().min(1, 'form.required').min(PASSWORD_MIN, 'form.passwordTooShort').max(PASSWORD_MAX, 'form.tooLong'),
  choice: <const T extends readonly [string, ...string[]]>(choices: T) => z.enum(choices, { error: 'form.invalidChoice' }),
  checkbox: () => z.string().transform((v) => v === 'on' || v === 'true' || v === '1'),
  /** An id of a row to link to, as a form sends it; its existence is checked by whoever stores it. */
  ref: () =>
    z
      .string()
      .regex(/^[1-9]\d{0,9}$/, 'form.invalidChoice')
      .transform(Number)
      .refine((n) => n <= INT4_MAX, 'form.invalidChoice'),
  /** An empty field takes a default before it is checked. */
  defaulted: <T extends z.ZodType<unknown, string>>(fallback: string, schema: T) =>
    z
      .string()
      .transform((v) => v || fallback)
      .pipe(schema),
  /** Several values of one name (checkboxes): one value arrives as a string. */
  many: <T extends z.ZodType<unknown, string>>(item: T) => z.union([z.string().transform((v) => (v ? [v] : [])), z.array(z.string())]).pipe(z.array(item)),
};

type Shape = Record<string, z.ZodType>;

export interface ParsedForm<T> {
  values: FormValues;
  errors: FieldErrors;
  /** The checked data, when there are no errors. */
  data?: T;
}

/** A single text field of a body that is otherwise not a form (a header-like value, a return path). */
export function text(body: unknown, name: string): string {
  const value = rawField(body, name);
  return typeof value === 'string' ? value : '';
}

/** What a browser can send for a field: a string, or strings for a repeated name; anything else counts as empty. */
function rawField(body: unknown, name: string): string | string[] {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return '';
}

/** The first problem of each field, as a message key (an unexpected one reads "This value is not valid."). */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? 'form');
    errors[name] ??= isMessageKey(issue.message) ? issue.message : 'form.invalid';
  }
  return errors;
}

/** Reads a form's fields through their schemas: the values as typed, the errors by field, and the data. */
export function parseForm<S extends Shape>(shape: S, body: unknown): ParsedForm<z.output<z.ZodObject<S>>> {
  const raw: Record<string, string | string[]> = {};
  const values: FormValues = {};
  for (const name of Object.keys(shape)) {
    raw[name] = rawField(body, name);
    values[name] = typeof raw[name] === 'string' ? raw[name] : '';
  }
  const result = z.object(shape).safeParse(raw);
  return result.success ? { values, errors: {}, data: result.data } : { values, errors: fieldErrors(result.error) };
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}

/** One value read through a schema, or undefined when it does not fit: for query strings and the like. */
export function optional<T extends z.ZodType>(schema: T, value: unknown): z.output<T> | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}
