import { z } from 'zod';
import { field } from '../web/form';

export const FIELD_MODES = ['off', 'optional', 'required'] as const;
export type FieldMode = (typeof FIELD_MODES)[number];
export const MAX_ORIGINS = 20;

/**
 * A website origin as a browser sends it: http(s), a host, maybe a port, nothing else. A path of "/" (as pasted
 * from the address bar) is dropped; a path, query, user, or wildcard is refused, since frame-ancestors and CORS
 * compare whole origins.
 */
export function readOrigin(line: string): string | null {
  const value = line.trim();
  if (!/^https?:\/\/[^/?#*\s@]+\/?$/i.test(value)) return null;
  try {
    const url = new URL(value);
    if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '')) return null;
    return url.origin;
  } catch {
    return null;
  }
}

const origins = z
  .string()
  .transform((v) =>
    v
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean),
  )
  .refine((lines) => lines.length <= MAX_ORIGINS, 'livechat.tooManyOrigins')
  .refine((lines) => lines.every((l) => readOrigin(l) !== null), 'livechat.originInvalid')
  .transform((lines) => [...new Set(lines.map((l) => readOrigin(l)!))]);

const whole = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,6}$/, 'livechat.numberInvalid')
    .transform(Number)
    .refine((n) => n >= min && n <= max, 'livechat.numberInvalid');

export const settingsForm = {
  enabled: field.checkbox(),
  title: field.optionalText(80),
  greeting: field.optionalText(500),
  colour: z
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, 'livechat.colourInvalid')
    .transform((v) => v.toLowerCase()),
  origins,
  nameField: field.choice(FIELD_MODES),
  emailField: field.choice(FIELD_MODES),
  consent: field.optionalText(500),
  offlineText: field.optionalText(1000),
  maxChats: whole(1, 50),
  rerouteSeconds: whole(10, 3600),
  retentionDays: whole(1, 3650),
};
