import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { LIMITS } from '../security/limits.service';
import { Problem } from './api-message.dto';

const TOKEN_RATE_LIMIT = LIMITS.apiToken.rate.points;
import { ProblemKind, PROBLEMS, problemType } from './problem';

export type HeaderDocs = Record<string, { description: string; schema: { type: 'string' | 'integer'; enum?: string[] } }>;
export const REQUEST_ID: HeaderDocs = {
  'X-Request-Id': { description: 'The request id (the one sent, or a new one): give it when reporting a fault', schema: { type: 'string' } },
};
export const RETRY_AFTER: HeaderDocs = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
export const RATE_LIMIT: HeaderDocs = {
  'RateLimit-Policy': { description: `The limit: "messages";q=${TOKEN_RATE_LIMIT};w=60 (IETF RateLimit headers draft)`, schema: { type: 'string' } },
  RateLimit: { description: 'What is left: "messages";r=<remaining>;t=<seconds until the window starts afresh>', schema: { type: 'string' } },
};

/** An error as it is served: application/problem+json (RFC 9457) with an example of its own. */
export function ApiProblem(kind: ProblemKind, description: string, detail: string, headers: HeaderDocs = {}) {
  const { status, title } = PROBLEMS[kind];
  return applyDecorators(
    ApiExtraModels(Problem),
    ApiResponse({
      status,
      description,
      headers: { ...REQUEST_ID, ...headers },
      content: {
        'application/problem+json': {
          schema: { $ref: getSchemaPath(Problem) },
          example: { type: problemType(kind), title, status, detail },
        },
      },
    }),
  );
}
