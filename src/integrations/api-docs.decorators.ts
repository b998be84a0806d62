import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { BUCKETS } from '../security/limits.service';
import { Problem } from './api-message.dto';
import { ProblemKind, PROBLEMS, problemType } from './problem';

const { capacity, refillMs } = BUCKETS.apiToken;
/** An integration's messages a minute, and how many of them may come at once. */
export const TOKEN_RATE_LIMIT = 60_000 / refillMs;
export const TOKEN_BURST = capacity;
/** The bucket as the RateLimit headers draft describes a quota: its capacity, and the seconds it takes to fill. */
export const RATE_LIMIT_POLICY = `"messages";q=${capacity};w=${(capacity * refillMs) / 1000}`;

export type HeaderDocs = Record<string, { description: string; schema: { type: 'string' | 'integer'; enum?: string[] } }>;
export const REQUEST_ID: HeaderDocs = {
  'X-Request-Id': { description: 'The request id (the one sent, or a new one): give it when reporting a fault', schema: { type: 'string' } },
};
export const RETRY_AFTER: HeaderDocs = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
export const RATE_LIMIT: HeaderDocs = {
  'RateLimit-Policy': {
    description: `The limit, a token bucket: ${RATE_LIMIT_POLICY} (${TOKEN_BURST} at once, one more every ${refillMs / 1000} s, so ${TOKEN_RATE_LIMIT} a minute; IETF RateLimit headers draft)`,
    schema: { type: 'string' },
  },
  RateLimit: {
    description: 'What is left: "messages";r=<messages that may come at once now>;t=<seconds until the bucket is full>',
    schema: { type: 'string' },
  },
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

/** Several problems served with one status (each its own named example), in a schema that may add members. */
export function ApiProblems(description: string, kinds: Partial<Record<ProblemKind, { detail: string } & Record<string, unknown>>>, model: Type = Problem) {
  const entries = Object.entries(kinds) as [ProblemKind, { detail: string }][];
  const status = PROBLEMS[entries[0][0]].status;
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status,
      description,
      headers: REQUEST_ID,
      content: {
        'application/problem+json': {
          schema: { $ref: getSchemaPath(model) },
          examples: Object.fromEntries(
            entries.map(([kind, extra]) => [
              kind,
              { summary: PROBLEMS[kind].title, value: { type: problemType(kind), title: PROBLEMS[kind].title, status, ...extra } },
            ]),
          ),
        },
      },
    }),
  );
}
