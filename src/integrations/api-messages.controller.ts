import { Body, Controller, Headers, HttpCode, Options, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
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
import { problem } from './problem';

export const TOKEN_RATE_LIMIT = LIMITS.apiToken.rate.points;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The same key from the same token always names the same message: its client id is derived from both. */
function clientIdFor(tokenId: number, key: string): string {
  const h = createHash('sha256').update(`${tokenId}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

@ApiTags('Group messages')
@Controller('api/v1/messages')
export class ApiMessagesController {
  constructor(
    private readonly tokens: GroupTokensService,
    private readonly messages: MessagesService,
    private readonly limits: LimitsService,
    private readonly em: EntityManager,
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
    description: 'Any printable text up to 200 characters. A retried request with the same key never creates a second message.',
  })
  @ApiBody({ type: PostMessageBody })
  @ApiResponse({ status: 201, description: 'Created', type: PostedMessage })
  @ApiResponse({ status: 200, description: 'A retry with an Idempotency-Key already used: the stored message', type: PostedMessage })
  @ApiResponse({ status: 400, description: 'Malformed JSON or Idempotency-Key', type: Problem })
  @ApiResponse({ status: 401, description: 'Missing, malformed, revoked or replaced token', type: Problem })
  @ApiResponse({ status: 403, description: 'The company has no API add-on, or the browser origin is not allowed', type: Problem })
  @ApiResponse({ status: 415, description: 'Not application/json', type: Problem })
  @ApiResponse({ status: 422, description: 'Missing, blank or too long text or display name', type: Problem })
  @ApiResponse({ status: 429, description: 'Too many requests for this token (see Retry-After)', type: Problem })
  async create(
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: unknown,
    @Headers('authorization') authorization?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<void> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!bearer) {
      res.set('WWW-Authenticate', 'Bearer');
      return problem(res, 401, 'Send the group API token as "Authorization: Bearer <token>".');
    }
    const token = await this.tokens.authenticate(bearer);
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      return problem(res, 401, 'This token is not valid: it may have been revoked or regenerated.');
    }
    // From here on this request works inside the token's company, like a signed-in member would.
    this.em.setFilterParams(COMPANY_FILTER, { companyId: token.company.id });
    const origin = req.get('Origin');
    if (origin) {
      if (!token.origins.includes(origin)) return problem(res, 403, `Calls from ${origin} are not allowed with this token.`);
      res.set({ 'Access-Control-Allow-Origin': origin, Vary: 'Origin' });
    }
    // Integrators read English, as every other problem here.
    if (!has(token.company, 'groupTokens')) return problem(res, 403, refusalText('groupTokens', 'en'));
    const limit = await this.limits.consume('apiToken', token.id);
    if (!limit.allowed) {
      res.set('Retry-After', String(limit.retryAfterSeconds));
      return problem(res, 429, `At most ${TOKEN_RATE_LIMIT} requests a minute per token. Retry after ${limit.retryAfterSeconds} s.`);
    }
    if (!req.is('application/json')) return problem(res, 415, 'Send the body as JSON with "Content-Type: application/json".');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      return problem(res, 400, 'Idempotency-Key must be 1 to 200 printable ASCII characters.');
    }
    const read = readBody(body);
    if ('problem' in read) return problem(res, 422, read.problem);
    const { text, displayName } = read.data;
    const clientId = idempotencyKey ? clientIdFor(token.id, idempotencyKey) : randomUUID();
    const { record: message, created } = await this.messages.send(
      { apiTokenId: token.id, displayName: displayName?.trim() || null },
      { id: token.conversation.id, companyId: token.company.id },
      clientId,
      text,
    );
    if (!created) res.set('Idempotency-Replayed', 'true');
    res.status(created ? 201 : 200).json({
      id: message.id,
      groupId: token.conversation.id,
      text: message.body,
      displayName: message.displayName ?? null,
      createdAt: message.createdAt.toISOString(),
    } satisfies PostedMessage);
  }

  /** A browser's preflight: the token (and so its allowed origins) is only checked on the real request. */
  @Options()
  preflight(@Req() req: Request, @Res() res: Response): void {
    const origin = req.get('Origin');
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
