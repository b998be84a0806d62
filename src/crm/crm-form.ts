import { FieldErrors, FormValues, text } from '../web/form';
import type { FieldDef, KindDef } from './crm-kinds';

export type FieldValue = string | number | null;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MONEY = /^-?\d{1,12}(?:[.,]\d{1,2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function parseField(field: FieldDef, raw: string, errors: FieldErrors): FieldValue {
  const value = field.type === 'textarea' ? raw : raw.trim();
  if (!value.trim()) {
    if (field.required) errors[field.name] = 'form.required';
    return field.type === 'user' || field.type === 'crmCompany' || field.type === 'date' ? null : field.type === 'money' ? '0' : '';
  }
  if (field.max && [...value].length > field.max) errors[field.name] = 'form.tooLong';
  switch (field.type) {
    case 'email':
      if (!EMAIL.test(value)) errors[field.name] = 'form.emailInvalid';
      return value.toLowerCase();
    case 'url':
      if (!/^https?:\/\/[^\s]+\.[^\s]+$/i.test(value)) errors[field.name] = 'crm.urlInvalid';
      return value;
    case 'date':
      if (!validDate(value)) errors[field.name] = 'crm.dateInvalid';
      return value;
    case 'money':
      if (!MONEY.test(value)) errors[field.name] = 'crm.moneyInvalid';
      return value.replace(',', '.');
    case 'choice':
      if (!field.choices!.includes(value)) errors[field.name] = 'form.invalidChoice';
      return value;
    case 'user':
    case 'crmCompany': {
      const id = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(id) || id <= 0) errors[field.name] = 'form.invalidChoice';
      return id;
    }
    default:
      return value;
  }
}

/** A CRM form's values exactly as typed, the messages for what is wrong, and the data to store. */
export function parseCrmForm(kind: KindDef, body: unknown): { values: FormValues; errors: FieldErrors; data: Record<string, FieldValue> } {
  const values: FormValues = {};
  const errors: FieldErrors = {};
  const data: Record<string, FieldValue> = {};
  for (const field of kind.fields) {
    values[field.name] = text(body, field.name);
    data[field.name] = parseField(field, values[field.name], errors);
  }
  return { values, errors, data };
}
