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

export function readOffline(input: unknown) {
  return parseForm({ name: field.optionalText(120), email: field.email(), body: body() }, input);
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
