import { applyDecorators, Body, Controller, HttpCode, Options, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExcludeEndpoint, ApiExtraModels, ApiHeader, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash, randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { refusalText } from '../accounts/plan-refusal';
import { has } from '../accounts/plans';
import { MessagesService } from '../chat/messages.service';
import { COMPANY_FILTER } from '../database/company-scope';
import { LIMITS, LimitsService } from '../security/limits.service';
import { PostedMessage, PostMessageBody, Problem, readBody } from './api-message.dto';
import { GroupTokensService } from './group-tokens.service';
import { IdempotencyKeys, KeyTaken } from './idempotency-keys';
import { messageById } from '../chat/message-records';
import type { MessageRecord } from '../chat/message.view';
import { problem, PROBLEM_TITLES } from './problem';

export const TOKEN_RATE_LIMIT = LIMITS.apiToken.rate.points;
export const API_DEADLINE_MS = 5000;
const RETRY_AFTER_UNAVAILABLE_S = 5;
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
/** What a page on an allowed website may read of an answer. */
const EXPOSED_HEADERS = 'Retry-After, Idempotency-Replayed, RateLimit, RateLimit-Policy, X-Request-Id';
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

type HeaderDocs = Record<string, { description: string; schema: { type: 'string' | 'integer'; enum?: string[] } }>;
const REQUEST_ID: HeaderDocs = {
  'X-Request-Id': { description: 'The request id (the one sent, or a new one): give it when reporting a fault', schema: { type: 'string' } },
};
const RETRY_AFTER: HeaderDocs = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
const RATE_LIMIT: HeaderDocs = {
  'RateLimit-Policy': { description: `The limit: "messages";q=${TOKEN_RATE_LIMIT};w=60 (IETF RateLimit headers draft)`, schema: { type: 'string' } },
  RateLimit: { description: 'What is left: "messages";r=<remaining>;t=<seconds until the window starts afresh>', schema: { type: 'string' } },
};

/** Gwar's own pages (the docs page's "Try it out") may always call: the token is what authorizes. */
function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

/** An error as it is served: application/problem+json (RFC 9457) with an example of its own. */
function ApiProblem(status: number, description: string, detail: string, headers: HeaderDocs = {}) {
  return applyDecorators(
    ApiExtraModels(Problem),
    ApiResponse({
      status,
      description,
      headers: { ...REQUEST_ID, ...headers },
      content: {
        'application/problem+json': {
          schema: { $ref: getSchemaPath(Problem) },
          example: { type: 'about:blank', title: PROBLEM_TITLES[status] ?? 'Error', status, detail },
        },
      },
    }),
  );
}

@ApiTags('Group messages')
@Controller('api/v1/messages')
export class ApiMessagesController {
  constructor(
    private readonly tokens: GroupTokensService,
    private readonly messages: MessagesService,
    private readonly limits: LimitsService,
    private readonly em: EntityManager,
    private readonly keys: IdempotencyKeys,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Post a message into the group the token belongs to',
    description: 'The message appears live in the group, marked as coming from the integration.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Any printable text up to 200 characters, new for each message (a UUID, say). A retry with the same key and body within 24 hours returns the first message (200, Idempotency-Replayed: true) and never creates a second; the same key with another body is refused (422). Keys belong to the integration, so they hold across a regenerated token.',
  })
  @ApiBody({ type: PostMessageBody })
  @ApiResponse({ status: 201, description: 'Created', type: PostedMessage, headers: { ...REQUEST_ID, ...RATE_LIMIT } })
  @ApiResponse({
    status: 200,
    description: 'A retry with an Idempotency-Key already used for the same request: the stored message',
    type: PostedMessage,
    headers: { ...REQUEST_ID, 'Idempotency-Replayed': { description: 'Always "true": nothing new was posted', schema: { type: 'string', enum: ['true'] } } },
  })
  @ApiProblem(400, 'Malformed JSON or Idempotency-Key', 'Idempotency-Key must be 1 to 200 printable ASCII characters.')
  @ApiProblem(401, 'Missing, malformed, revoked or replaced token', 'This token is not valid: it may have been revoked or regenerated.')
  @ApiProblem(403, 'The company has no API add-on, or the browser origin is not allowed', 'Calls from https://example.com are not allowed with this token.')
  @ApiProblem(404, 'No such path', 'Not found.')
  @ApiProblem(413, 'The body is over 200 KB', 'What you sent is too large.')
  @ApiProblem(415, 'Not application/json', 'Send the body as JSON with "Content-Type: application/json".')
  @ApiProblem(422, 'Missing, blank or too long text or display name, or an Idempotency-Key already used with another request', '"text" must not be blank.')
  @ApiProblem(
    429,
    `Over ${TOKEN_RATE_LIMIT} messages a minute for this integration; retries and refused requests do not count`,
    `At most ${TOKEN_RATE_LIMIT} requests a minute per integration. Retry after 12 s.`,
    {
      ...RETRY_AFTER,
      ...RATE_LIMIT,
    },
  )
  @ApiProblem(500, 'A fault of the server: give the request id when you report it', 'An unexpected error occurred. (request 0b6c…)')
  @ApiProblem(
    503,
    'The service could not answer within 5 s; retry with the same Idempotency-Key',
    'The service could not answer within 5 s. Retry with the same Idempotency-Key: it never posts twice.',
    RETRY_AFTER,
  )
  async create(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    // Read here rather than with @Headers(): the document names the headers once, as they are sent.
    const authorization = req.get('Authorization');
    const idempotencyKey = req.get('Idempotency-Key');
    const origin = req.get('Origin');
    // Refusals carry CORS headers too, so that a page reads why; only an allowed origin gets further than that.
    if (origin) res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS, Vary: 'Origin' });
    // A database that does not answer gets a 503 within the deadline, not a hanging request; the work may still
    // finish, and a retry with the same Idempotency-Key then returns that message rather than a second one.
    const deadline = setTimeout(() => {
      res.set('Retry-After', String(RETRY_AFTER_UNAVAILABLE_S));
      problem(res, 503, `The service could not answer within ${API_DEADLINE_MS / 1000} s. Retry with the same Idempotency-Key: it never posts twice.`);
    }, API_DEADLINE_MS);
    try {
      await this.handle(req, res, body, authorization, idempotencyKey);
    } finally {
      clearTimeout(deadline);
    }
  }

  private async handle(req: Request, res: Response, body: unknown, authorization?: string, idempotencyKey?: string): Promise<void> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!bearer) {
      res.set('WWW-Authenticate', 'Bearer');
      return problem(res, 401, 'Send the group API token as "Authorization: Bearer <token>".');
    }
    const token = await this.tokens.authenticate(bearer);
    if (res.headersSent) return; // the deadline answered while the database was away
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      return problem(res, 401, 'This token is not valid: it may have been revoked or regenerated.');
    }
    // From here on this request works inside the token's company, like a signed-in member would.
    this.em.setFilterParams(COMPANY_FILTER, { companyId: token.company.id });
    const origin = req.get('Origin');
    if (origin && origin !== ownOrigin(req) && !token.origins.includes(origin))
      return problem(res, 403, `Calls from ${origin} are not allowed with this token.`);
    // Integrators read English, as every other problem here.
    if (!has(token.company, 'groupTokens')) return problem(res, 403, refusalText('groupTokens', 'en'));
    if (!JSON_TYPE.test(req.get('Content-Type') ?? '')) return problem(res, 415, 'Send the body as JSON with "Content-Type: application/json".');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      return problem(res, 400, 'Idempotency-Key must be 1 to 200 printable ASCII characters.');
    }
    const read = readBody(body);
    if ('problem' in read) return problem(res, 422, read.problem);
    const { text, displayName } = read.data;
    const companyId = token.company.id;
    const integration = token.integration;
    const requestHash = createHash('sha256')
      .update(JSON.stringify([text, displayName?.trim() || null]))
      .digest('hex');
    // A retry is answered from what its key stored, and counts toward no limit: only accepted requests do.
    const replay = () => this.replay(res, companyId, integration.id, idempotencyKey!, requestHash);
    if (idempotencyKey && (await this.keys.find(this.em, companyId, integration.id, idempotencyKey))) return replay();
    const limit = await this.limits.consume('apiToken', integration.id);
    if (res.headersSent) return;
    res.set({
      'RateLimit-Policy': `"messages";q=${TOKEN_RATE_LIMIT};w=${LIMITS.apiToken.rate.duration}`,
      RateLimit: `"messages";r=${limit.remaining};t=${limit.resetSeconds}`,
    });
    if (!limit.allowed) {
      res.set('Retry-After', String(limit.retryAfterSeconds));
      return problem(res, 429, `At most ${TOKEN_RATE_LIMIT} requests a minute per integration. Retry after ${limit.retryAfterSeconds} s.`);
    }
    let message: MessageRecord;
    try {
      ({ record: message } = await this.messages.send(
        { integrationId: integration.id, integrationName: integration.name, displayName: displayName?.trim() || null },
        { id: token.conversation.id, companyId },
        randomUUID(),
        text,
        undefined,
        idempotencyKey ? (em, messageId) => this.keys.remember(em, companyId, integration.id, idempotencyKey, requestHash, messageId) : undefined,
      ));
    } catch (err) {
      // The same key in a request that came at the same moment: this one stored nothing, and answers as its retry.
      if (err instanceof KeyTaken) return replay();
      throw err;
    }
    this.answer(res, 201, message);
  }

  /** A key used before: the message it made, if the request is the same; else the key cannot be reused (422). */
  private async replay(res: Response, companyId: number, integrationId: number, key: string, requestHash: string): Promise<void> {
    const used = await this.keys.find(this.em, companyId, integrationId, key);
    if (!used || used.requestHash !== requestHash) {
      return problem(res, 422, 'This Idempotency-Key was already used with a different request. Use a new key for a new message.');
    }
    const message = await messageById(this.em, companyId, used.messageId);
    if (res.headersSent) return;
    if (!message) return problem(res, 422, 'This Idempotency-Key was already used. Use a new key for a new message.');
    res.set('Idempotency-Replayed', 'true');
    this.answer(res, 200, message);
  }

  private answer(res: Response, status: 200 | 201, message: MessageRecord): void {
    if (res.headersSent) return; // answered 503 already: the caller retries with its key
    res.status(status).json({
      id: message.id,
      groupId: message.conversationId,
      text: message.body,
      displayName: message.displayName ?? null,
      createdAt: message.createdAt.toISOString(),
    } satisfies PostedMessage);
  }

  /**
   * A browser's preflight carries no token, so an origin passes if some integration allows it; the real request
   * then checks it against its own token's list.
   */
  @Options()
  @ApiExcludeEndpoint()
  async preflight(@Req() req: Request, @Res() res: Response): Promise<void> {
    const origin = req.get('Origin');
    if (origin && origin !== ownOrigin(req) && !(await this.tokens.originAllowed(origin)))
      return problem(res, 403, `Calls from ${origin} are not allowed by any integration.`);
    if (origin) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key',
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    res.status(204).end();
  }
}
