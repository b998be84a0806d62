import { z } from 'zod';
import { field, FieldErrors, FormValues, parseForm } from '../web/form';
import type { FieldDef, KindDef } from './crm-kinds';

export type FieldValue = string | number | null;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MONEY = /^-?\d{1,12}(?:[.,]\d{1,2})?$/;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A day that exists (no 2026-02-30) in a year PostgreSQL stores (it has no year 0). Zod runs the refinement even
 * after the pattern failed, so it must not throw on anything: an invalid Date's toISOString() does.
 */
function isRealDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return DATE.test(value) && !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.toISOString().startsWith(value);
}

const realDate = z.string().regex(DATE, 'crm.dateInvalid').refine(isRealDate, 'crm.dateInvalid');

/** The schema of one filled-in field, as typed (trimmed unless a long text). */
function filled(def: FieldDef): z.ZodType<FieldValue, string> {
  const max = z.string().max(def.max ?? 10_000, 'form.tooLong');
  switch (def.type) {
    case 'email':
      return max.regex(EMAIL, 'form.emailInvalid').transform((v) => v.toLowerCase());
    case 'url':
      return max.regex(/^https?:\/\/[^\s]+\.[^\s]+$/i, 'crm.urlInvalid');
    case 'date':
      return realDate;
    case 'money':
      return z
        .string()
        .regex(MONEY, 'crm.moneyInvalid')
        .transform((v) => v.replace(',', '.'));
    case 'choice':
      return field.choice(def.choices as [string, ...string[]]);
    case 'user':
    case 'crmCompany':
      return field.ref();
    default:
      return max;
  }
}

/** What an empty field stores: no link, no date, an amount of 0, or empty text. */
function emptyValue(def: FieldDef): FieldValue {
  if (def.type === 'user' || def.type === 'crmCompany' || def.type === 'date') return null;
  return def.type === 'money' ? '0' : '';
}

function fieldSchema(def: FieldDef): z.ZodType<FieldValue, string> {
  const schema = filled(def);
  return z.string().transform((raw, ctx) => {
    const value = def.type === 'textarea' ? raw : raw.trim();
    if (!value.trim()) {
      if (def.required) ctx.addIssue({ code: 'custom', message: 'form.required' });
      return emptyValue(def);
    }
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    ctx.addIssue({ code: 'custom', message: result.error.issues[0].message });
    return z.NEVER;
  });
}

const schemas = new Map<KindDef, Record<string, z.ZodType<FieldValue, string>>>();

/** A CRM form's values exactly as typed, the messages for what is wrong, and the data to store. */
export function parseCrmForm(kind: KindDef, body: unknown): { values: FormValues; errors: FieldErrors; data?: Record<string, FieldValue> } {
  let shape = schemas.get(kind);
  if (!shape) {
    shape = Object.fromEntries(kind.fields.map((def) => [def.name, fieldSchema(def)]));
    schemas.set(kind, shape);
  }
  return parseForm(shape, body);
}
