import type { Response } from 'express';

/**
 * Every error the API answers with, by name: its status, its title and what it means. A problem's `type` is
 * `/api/problems/<name>` (RFC 9457: a URI reference, relative to the API), which serves this description.
 */
export const PROBLEMS = {
  'bad-request': { status: 400, title: 'Bad request', description: 'The request could not be read: malformed JSON, say.' },
  'invalid-idempotency-key': {
    status: 400,
    title: 'Invalid Idempotency-Key',
    description: 'The Idempotency-Key header must be 1 to 200 printable ASCII characters.',
  },
  'missing-token': { status: 401, title: 'Missing token', description: 'Send the group API token as "Authorization: Bearer <token>".' },
  'invalid-token': { status: 401, title: 'Invalid token', description: 'The token is unknown: revoked, replaced by a regenerated one, or mistyped.' },
  'origin-not-allowed': { status: 403, title: 'Origin not allowed', description: 'A browser call from a website the token does not allow.' },
  'plan-required': { status: 403, title: 'Not in the plan', description: 'The company’s plan (or its API add-on) does not include group tokens.' },
  'insufficient-scope': { status: 403, title: 'Insufficient scope', description: 'The token was not granted the scope (post, edit, read) this request needs.' },
  'not-own-message': { status: 403, title: 'Not the integration’s message', description: 'Only the integration’s own messages can be edited or deleted.' },
  'challenge-required': {
    status: 403,
    title: 'Proof of work required',
    description:
      'Many requests came from this address: solve the ALTCHA challenge the problem carries ("challenge") and send the request again with the solution in the body’s "challenge" field. A solution is taken once.',
  },
  forbidden: { status: 403, title: 'Forbidden', description: 'Not allowed.' },
  'not-found': { status: 404, title: 'Not found', description: 'No such path, or no such message in the token’s group.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', description: 'This path does not take this method.' },
  'message-deleted': { status: 409, title: 'Message deleted', description: 'The message was deleted and can no longer be edited.' },
  conflict: { status: 409, title: 'Conflict', description: 'The request clashes with the current state.' },
  'payload-too-large': { status: 413, title: 'Payload too large', description: 'The body is over 200 KB.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', description: 'Send the body as JSON with "Content-Type: application/json".' },
  'invalid-body': { status: 422, title: 'Invalid body', description: 'A field is missing, blank, too long or of the wrong kind; the detail says which.' },
  'idempotency-key-reused': {
    status: 422,
    title: 'Idempotency-Key reused',
    description: 'The key was used within 24 hours for a different request: use a new key for a new message.',
  },
  'rate-limited': {
    status: 429,
    title: 'Too many requests',
    description: 'Over the integration’s limit; Retry-After says when to try again. Retries and refused requests do not count.',
  },
  'internal-error': { status: 500, title: 'Internal server error', description: 'A fault of the server: give the request id when you report it.' },
  unavailable: {
    status: 503,
    title: 'Service unavailable',
    description: 'The service could not answer in time; retry after Retry-After with the same Idempotency-Key.',
  },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

export const problemType = (kind: ProblemKind) => `/api/problems/${kind}`;

/** The problem named for an HTTP status, for errors raised outside the API's own handlers (routing, body parsing, faults). */
export function problemKindOf(status: number): ProblemKind {
  const byStatus: Record<number, ProblemKind> = {
    400: 'bad-request',
    401: 'invalid-token',
    403: 'forbidden',
    404: 'not-found',
    405: 'method-not-allowed',
    409: 'conflict',
    413: 'payload-too-large',
    415: 'unsupported-media-type',
    422: 'invalid-body',
    429: 'rate-limited',
    503: 'unavailable',
  };
  return byStatus[status] ?? (status >= 500 ? 'internal-error' : 'bad-request');
}

/** An RFC 9457 problem: what is wrong, in words an integrator can act on, with the request to quote. */
export function problem(res: Response, kind: ProblemKind, detail: string, extra: Record<string, unknown> = {}): void {
  if (res.headersSent) return; // the deadline's 503 went first
  const { status, title } = PROBLEMS[kind];
  res
    .status(status)
    .type('application/problem+json')
    .json({ type: problemType(kind), title, status, detail, requestId: res.get('X-Request-Id'), ...extra });
}
