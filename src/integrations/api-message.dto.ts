import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

/** What is wrong with a body, or null when it is fine. */
export function bodyProblem(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The body must be a JSON object like {"text": "Hello"}.';
  const { text, displayName } = body as Record<string, unknown>;
  if (text === undefined || text === null) return '"text" is required.';
  if (typeof text !== 'string') return '"text" must be a string.';
  if (!text.trim()) return '"text" must not be blank.';
  if ([...text].length > MESSAGE_MAX_LENGTH) return `"text" is too long: at most ${MESSAGE_MAX_LENGTH} characters.`;
  if (displayName !== undefined && displayName !== null) {
    if (typeof displayName !== 'string') return '"displayName" must be a string.';
    if ([...displayName].length > DISPLAY_NAME_MAX) return `"displayName" is too long: at most ${DISPLAY_NAME_MAX} characters.`;
  }
  return null;
}
