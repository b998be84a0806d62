import { z } from 'zod';
import { fieldErrors } from '../web/form';
import type { MessageKey } from '../web/i18n/en';
import { MESSAGE_MAX_LENGTH } from './message.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id as a form (a string) or a socket (a number) sends it. */
export const idOf = z
  .union([z.number(), z.string().regex(/^\d{1,15}$/).transform(Number)])
  .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));

/** A message's text: not blank, at most 10,000 characters; line breaks are kept. */
export const messageText = z
  .string({ error: 'chat.messageEmpty' })
  .refine((v) => v.trim().length > 0, 'chat.messageEmpty')
  .refine((v) => [...v].length <= MESSAGE_MAX_LENGTH, 'chat.messageTooLong');

export const clientId = z.string({ error: 'chat.messageInvalid' }).regex(UUID, 'chat.messageInvalid');

/** A send, from the composer's form or its socket; a reply to something that cannot be read is no reply. */
export const newMessage = z.object({
  body: messageText,
  clientId,
  replyTo: z.unknown().optional().transform((v) => idOf.safeParse(v).data),
});

export const editedMessage = z.object({ body: messageText });

/** The data, or the message key of the first thing wrong with it. */
export function readMessage<T extends z.ZodType>(schema: T, input: unknown): { data: z.output<T> } | { error: MessageKey } {
  const result = schema.safeParse(input);
  return result.success ? { data: result.data } : { error: Object.values(fieldErrors(result.error))[0] ?? 'chat.messageInvalid' };
}
