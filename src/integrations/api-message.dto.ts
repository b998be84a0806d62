import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { z } from 'zod';
import { MESSAGE_MAX_LENGTH } from '../chat/message.entity';

export const DISPLAY_NAME_MAX = 100;

export class PostMessageBody {
  @ApiProperty({
    description: 'The message text. Line breaks are kept; URLs become links.',
    maxLength: MESSAGE_MAX_LENGTH,
    example: 'New order #1042 from Acme',
  })
  text!: string;

  @ApiPropertyOptional({ description: 'The name shown as the sender (defaults to the integration).', maxLength: DISPLAY_NAME_MAX, example: 'Shop' })
  displayName?: string;
}

export class PostedMessage {
  @ApiProperty({ example: 1234 }) id!: number;
  @ApiProperty({ example: 17 }) groupId!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ nullable: true, type: String }) displayName!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
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
    .refine((v) => [...v].length <= max, `"${name}" is too long: at most ${max} characters.`);

/** The body an integration posts, read through one schema; each problem is a sentence an integrator can act on. */
export const postMessageBody = z.object(
  {
    text: text('text', MESSAGE_MAX_LENGTH).refine((v) => v.trim().length > 0, '"text" must not be blank.'),
    displayName: text('displayName', DISPLAY_NAME_MAX).nullish(),
  },
  { error: 'The body must be a JSON object like {"text": "Hello"}.' },
);

/** The checked body, or what is wrong with it. */
export function readBody(body: unknown): { data: z.output<typeof postMessageBody> } | { problem: string } {
  const result = postMessageBody.safeParse(body);
  return result.success ? { data: result.data } : { problem: result.error.issues[0].message };
}
