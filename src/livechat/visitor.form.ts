import { z } from 'zod';
import { field, FieldErrors, FormValues, parseForm } from '../web/form';
import { BODY_MAX } from './chats.service';
import type { FieldMode } from './settings.form';
import type { LivechatSettings } from './settings.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const body = () => z.string().trim().min(1, 'form.required').max(BODY_MAX, 'form.tooLong');
export const clientId = () => z.string().regex(UUID, 'form.invalid');

function byMode(mode: FieldMode, schema: z.ZodString, max: number) {
  if (mode === 'required') return schema;
  // Optional (or off: then it is not shown, and whatever comes is dropped below).
  return z
    .string()
    .trim()
    .max(max, 'form.tooLong')
    .pipe(z.union([z.literal(''), schema]));
}

export interface StartInput {
  name: string;
  email: string;
  body: string;
  clientId: string;
}

/** The pre-chat form, as the widget's settings ask for it. */
export function readStart(settings: LivechatSettings, input: unknown): { values: FormValues; errors: FieldErrors; data?: StartInput } {
  const form = parseForm(
    {
      name: byMode(settings.nameField, field.text(120), 120),
      email: byMode(settings.emailField, field.email(), 254),
      consent: settings.consent ? z.literal('on', { error: 'livechat.consentRequired' }) : z.string(),
      body: body(),
      clientId: clientId(),
    },
    input,
  );
  if (!form.data) return { values: form.values, errors: form.errors };
  const { name, email, body: text, clientId: id } = form.data;
  return {
    values: form.values,
    errors: {},
    data: { name: settings.nameField === 'off' ? '' : name, email: settings.emailField === 'off' ? '' : email, body: text, clientId: id },
  };
}

/** A phone number as people type it: digits with spaces, dashes, brackets and a leading +, 6 to 20 digits. */
export const phone = () =>
  z
    .string()
    .trim()
    .max(32, 'livechat.phoneInvalid')
    .refine((v) => v === '' || (/^\+?[0-9 ()./-]+$/.test(v) && /^\d{6,20}$/.test(v.replace(/\D/g, ''))), 'livechat.phoneInvalid');

export interface OfflineInput {
  name: string;
  email: string;
  phone: string;
  body: string;
}

/** The offline form: a message with an e-mail or a phone number (or both) to answer it by. */
export function readOffline(input: unknown): { values: FormValues; errors: FieldErrors; data?: OfflineInput } {
  const form = parseForm(
    {
      name: field.optionalText(120),
      email: z
        .string()
        .trim()
        .max(254, 'form.tooLong')
        .pipe(z.union([z.literal(''), field.email()])),
      phone: phone(),
      body: body(),
    },
    input,
  );
  if (!form.data) return { values: form.values, errors: form.errors };
  if (!form.data.email && !form.data.phone) return { values: form.values, errors: { email: 'livechat.emailOrPhone' } };
  return { values: form.values, errors: {}, data: form.data };
}

export function readMessage(input: unknown) {
  return parseForm({ body: body(), clientId: clientId() }, input);
}

export function readRating(input: unknown) {
  return parseForm(
    { rating: z.enum(['1', '2', '3', '4', '5'], { error: 'livechat.ratingRequired' }).transform(Number), comment: field.optionalText(1000) },
    input,
  );
}
