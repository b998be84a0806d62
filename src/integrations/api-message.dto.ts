import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { z } from 'zod';
import { MESSAGE_MAX_LENGTH } from '../chat/message.entity';

export const DISPLAY_NAME_MAX = 100;

export class MessageAuthor {
  @ApiProperty({ enum: ['user', 'integration', 'support'] }) type!: 'user' | 'integration' | 'support';
  @ApiProperty({ nullable: true, type: Number, description: 'The user’s id (users only)' }) id!: number | null;
  @ApiProperty() name!: string;
}

export class PostedMessage {
  @ApiProperty({ example: 1234 }) id!: number;
  @ApiProperty({ example: 17 }) groupId!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ nullable: true, type: String }) displayName!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) editedAt!: string | null;
  @ApiProperty({ description: 'Deleted: its text is gone' }) deleted!: boolean;
  @ApiProperty({ type: MessageAuthor }) author!: MessageAuthor;
}

export class MessagePage {
  @ApiProperty({ type: [PostedMessage], description: 'Newest first' }) messages!: PostedMessage[];
  @ApiProperty({ nullable: true, type: Number, description: 'Pass as "before" for the page of older messages; null when there are none' })
  nextBefore!: number | null;
}

export class Problem {
  @ApiProperty({ example: 'about:blank' }) type!: string;
  @ApiProperty({ example: 'Unprocessable content' }) title!: string;
  @ApiProperty({ example: 422 }) status!: number;
  @ApiProperty({ example: '"text" is required and must not be blank.' }) detail!: string;
}

const text = (name: string, max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined || issue.input === null ? `"${name}" is required.` : `"${name}" must be a string.`) })
    .refine((v) => [...v].length <= max, `"${name}" is too long: at most ${max} characters.`)
    // The refinement counts characters as people do; the document states the same bound.
    .meta({ maxLength: max });

/** The body an integration posts, read through one schema; each problem is a sentence an integrator can act on. */
export const postMessageBody = z.object(
  {
    text: text('text', MESSAGE_MAX_LENGTH)
      .refine((v) => v.trim().length > 0, '"text" must not be blank.')
      .meta({
        description: 'The message text. Line breaks are kept; URLs become links; **bold**, *italics*, `code`, <url|label> and @mentions work.',
        example: 'New order #1042 from Acme',
      }),
    displayName: text('displayName', DISPLAY_NAME_MAX)
      .nullish()
      .meta({ description: 'The name shown as the sender, beside the integration’s own name and API badge.', example: 'Shop' }),
    replyToId: z
      .number({ error: '"replyToId" must be a message id (a number).' })
      .int('"replyToId" must be a message id.')
      .positive('"replyToId" must be a message id.')
      .max(Number.MAX_SAFE_INTEGER)
      .nullish()
      .meta({ description: 'Reply to this message of the group (shown quoted above the reply).', example: 1200 }),
  },
  { error: 'The body must be a JSON object like {"text": "Hello"}.' },
);

export const editMessageBody = z.object(
  {
    text: text('text', MESSAGE_MAX_LENGTH)
      .refine((v) => v.trim().length > 0, '"text" must not be blank.')
      .meta({ description: 'The new text of one of the integration’s own messages.', example: 'Order #1042 shipped' }),
  },
  { error: 'The body must be a JSON object like {"text": "Hello"}.' },
);

/** A page of history: at most `limit` (1–100, default 50) messages before the message `before`. */
export const historyQuery = z.object({
  before: z.coerce.number({ error: '"before" must be a message id.' }).int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce
    .number({ error: '"limit" must be a number from 1 to 100.' })
    .int('"limit" must be a whole number.')
    .min(1, '"limit" must be at least 1.')
    .max(100, '"limit" must be at most 100.')
    .default(50),
});

/** The checked input, or the first thing wrong with it, as a sentence an integrator can act on. */
export function readWith<T extends z.ZodType>(schema: T, input: unknown): { data: z.output<T> } | { problem: string } {
  const result = schema.safeParse(input);
  return result.success ? { data: result.data } : { problem: result.error.issues[0].message };
}

/** A request schema as the OpenAPI document states it: generated from the very schema that checks the request. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as Record<string, unknown>;
  return rest;
}
