import type { MessageKey } from '../web/i18n/en';
import { MESSAGE_MAX_LENGTH } from './message.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isClientId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** A message's text: not blank, at most 10,000 characters; line breaks are kept. */
export function messageBodyError(body: unknown): MessageKey | null {
  if (typeof body !== 'string' || !body.trim()) return 'chat.messageEmpty';
  if ([...body].length > MESSAGE_MAX_LENGTH) return 'chat.messageTooLong';
  return null;
}

export function optionalId(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
