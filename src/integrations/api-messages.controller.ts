import { Body, Controller, Delete, Get, HttpCode, Options, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExcludeEndpoint, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash, randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { refusalText } from '../accounts/plan-refusal';
import { has } from '../accounts/plans';
import { MessagesService } from '../chat/messages.service';
import { COMPANY_FILTER } from '../database/company-scope';
import { LimitsService } from '../security/limits.service';
import { editMessageBody, historyQuery, MessagePage, openApiSchema, PostedMessage, postMessageBody, readWith } from './api-message.dto';
import type { GroupApiToken } from './group-api-token.entity';
import { ApiAccess, ownOrigin } from './api-access';
import { GroupTokensService } from './group-tokens.service';
import { IdempotencyKeys, KeyTaken } from './idempotency-keys';
import { messageById, messagesBefore } from '../chat/message-records';
import type { MessageRecord } from '../chat/message.view';
import { ApiProblem, RATE_LIMIT, RATE_LIMIT_POLICY, REQUEST_ID, RETRY_AFTER, TOKEN_BURST, TOKEN_RATE_LIMIT } from './api-docs.decorators';
import { apiMessage } from './api-message.view';
import { problem } from './problem';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function messageIdOf(id: string): number | undefined {
  return /^[1-9]\d{0,15}$/.test(id) && Number(id) <= Number.MAX_SAFE_INTEGER ? Number(id) : undefined;
}

@ApiTags('Group messages')
@Controller('api/v1/messages')
export class ApiMessagesController {
  constructor(
    private readonly tokens: GroupTokensService,
    private readonly access: ApiAccess,
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
  @ApiBody({ schema: openApiSchema(postMessageBody) })
  @ApiResponse({ status: 201, description: 'Created', type: PostedMessage, headers: { ...REQUEST_ID, ...RATE_LIMIT } })
  @ApiResponse({
    status: 200,
    description: 'A retry with an Idempotency-Key already used for the same request: the stored message',
    type: PostedMessage,
    headers: { ...REQUEST_ID, 'Idempotency-Replayed': { description: 'Always "true": nothing new was posted', schema: { type: 'string', enum: ['true'] } } },
  })
  @ApiProblem('invalid-idempotency-key', 'Malformed JSON or Idempotency-Key', 'Idempotency-Key must be 1 to 200 printable ASCII characters.')
  @ApiProblem('invalid-token', 'Missing, malformed, revoked or replaced token', 'This token is not valid: it may have been revoked or regenerated.')
  @ApiProblem(
    'origin-not-allowed',
    'The company has no API add-on, or the browser origin is not allowed',
    'Calls from https://example.com are not allowed with this token.',
  )
  @ApiProblem('not-found', 'No such path', 'Not found.')
  @ApiProblem('payload-too-large', 'The body is over 200 KB', 'What you sent is too large.')
  @ApiProblem('unsupported-media-type', 'Not application/json', 'Send the body as JSON with "Content-Type: application/json".')
  @ApiProblem(
    'invalid-body',
    'Missing, blank or too long text or display name, or an Idempotency-Key already used with another request',
    '"text" must not be blank.',
  )
  @ApiProblem(
    'rate-limited',
    `Over ${TOKEN_RATE_LIMIT} messages a minute (${TOKEN_BURST} at once) for this integration; retries and refused requests do not count`,
    `At most ${TOKEN_RATE_LIMIT} messages a minute per integration, ${TOKEN_BURST} at once. Retry after 1 s.`,
    {
      ...RETRY_AFTER,
      ...RATE_LIMIT,
    },
  )
  @ApiProblem('internal-error', 'A fault of the server: give the request id when you report it', 'An unexpected error occurred. (request 0b6c…)')
  @ApiProblem(
    'unavailable',
    'The service could not answer within 5 s; retry with the same Idempotency-Key',
    'The service could not answer within 5 s. Retry with the same Idempotency-Key: it never posts twice.',
    RETRY_AFTER,
  )
  async create(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    // Read here rather than with @Headers(): the document names the headers once, as they are sent.
    const idempotencyKey = req.get('Idempotency-Key');
    await this.access.serve(req, res, 'post', (token) => this.handle(req, res, token, body, idempotencyKey));
  }

  private async handle(req: Request, res: Response, token: GroupApiToken, body: unknown, idempotencyKey?: string): Promise<void> {
    if (!JSON_TYPE.test(req.get('Content-Type') ?? ''))
      return problem(res, 'unsupported-media-type', 'Send the body as JSON with "Content-Type: application/json".');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      return problem(res, 'invalid-idempotency-key', 'Idempotency-Key must be 1 to 200 printable ASCII characters.');
    }
    const read = readWith(postMessageBody, body);
    if ('problem' in read) return problem(res, 'invalid-body', read.problem);
    const { text, displayName, replyToId } = read.data;
    const companyId = token.company.id;
    const integration = token.integration;
    const requestHash = createHash('sha256')
      .update(JSON.stringify([text, displayName?.trim() || null, replyToId ?? null]))
      .digest('hex');
    // A retry is answered from what its key stored, and counts toward no limit: only accepted requests do.
    const replay = () => this.replay(res, companyId, integration.id, idempotencyKey!, requestHash);
    if (idempotencyKey && (await this.keys.find(this.em, companyId, integration.id, idempotencyKey))) return replay();
    const limit = await this.limits.consume('apiToken', integration.id);
    if (res.headersSent) return;
    res.set({
      'RateLimit-Policy': RATE_LIMIT_POLICY,
      RateLimit: `"messages";r=${limit.remaining};t=${limit.resetSeconds}`,
    });
    if (!limit.allowed) {
      res.set('Retry-After', String(limit.retryAfterSeconds));
      return problem(
        res,
        'rate-limited',
        `At most ${TOKEN_RATE_LIMIT} messages a minute per integration, ${TOKEN_BURST} at once. Retry after ${limit.retryAfterSeconds} s.`,
      );
    }
    let message: MessageRecord;
    try {
      ({ record: message } = await this.messages.send(
        { integrationId: integration.id, integrationName: integration.name, displayName: displayName?.trim() || null },
        { id: token.conversation.id, companyId },
        randomUUID(),
        text,
        replyToId ?? undefined,
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
      return problem(res, 'idempotency-key-reused', 'This Idempotency-Key was already used with a different request. Use a new key for a new message.');
    }
    const message = await messageById(this.em, companyId, used.messageId);
    if (res.headersSent) return;
    if (!message) return problem(res, 'idempotency-key-reused', 'This Idempotency-Key was already used. Use a new key for a new message.');
    res.set('Idempotency-Replayed', 'true');
    this.answer(res, 200, message);
  }

  private answer(res: Response, status: 200 | 201, message: MessageRecord): void {
    if (res.headersSent) return; // answered 503 already: the caller retries with its key
    res.status(status).json(apiMessage(message));
  }

  @Get()
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Read the group’s messages, newest first (scope "read")',
    description: 'Keyset paging: pass nextBefore as "before" for older ones.',
  })
  @ApiQuery({ name: 'before', required: false, type: Number, description: 'Only messages older than this message id' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: 'How many, 1 to 100 (default 50)' })
  @ApiResponse({ status: 200, description: 'A page of messages', type: MessagePage, headers: REQUEST_ID })
  @ApiProblem('invalid-token', 'Missing, malformed, revoked or replaced token', 'This token is not valid: it may have been revoked or regenerated.')
  @ApiProblem(
    'insufficient-scope',
    'The token has no "read" scope, or the origin or plan does not allow it',
    'This token has no "read" scope; an administrator can grant it in the group\'s API token settings.',
  )
  @ApiProblem('invalid-body', 'A bad "before" or "limit"', '"limit" must be at most 100.')
  @ApiProblem('unavailable', 'The service could not answer within 5 s', 'The service could not answer within 5 s.', RETRY_AFTER)
  async list(@Req() req: Request, @Res() res: Response, @Query() query: unknown): Promise<void> {
    await this.access.serve(req, res, 'read', async (token) => {
      const read = readWith(historyQuery, query);
      if ('problem' in read) return problem(res, 'invalid-body', read.problem);
      const rows = await messagesBefore(this.em, token.company.id, token.conversation.id, read.data.before, read.data.limit + 1);
      if (res.headersSent) return;
      const messages = rows.slice(0, read.data.limit);
      res.json({
        messages: messages.map(apiMessage),
        nextBefore: rows.length > read.data.limit ? messages[messages.length - 1].id : null,
      } satisfies MessagePage);
    });
  }

  @Patch(':id')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change the text of one of the integration’s own messages (scope "edit")' })
  @ApiParam({ name: 'id', type: Number })
  @ApiBody({ schema: openApiSchema(editMessageBody) })
  @ApiResponse({ status: 200, description: 'The message as it now is', type: PostedMessage, headers: REQUEST_ID })
  @ApiProblem('invalid-token', 'Missing, malformed, revoked or replaced token', 'This token is not valid: it may have been revoked or regenerated.')
  @ApiProblem('not-own-message', 'Not the integration’s own message, or no "edit" scope', 'Only the integration’s own messages can be changed.')
  @ApiProblem('not-found', 'No such message in the token’s group', 'No message 1234 in this group.')
  @ApiProblem('message-deleted', 'The message was deleted', 'Message 1234 was deleted: it can no longer be edited.')
  @ApiProblem('unsupported-media-type', 'Not application/json', 'Send the body as JSON with "Content-Type: application/json".')
  @ApiProblem('invalid-body', 'Missing, blank or too long text', '"text" must not be blank.')
  @ApiProblem('unavailable', 'The service could not answer within 5 s', 'The service could not answer within 5 s.', RETRY_AFTER)
  async update(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    await this.access.serve(req, res, 'edit', async (token) => {
      const messageId = messageIdOf(id);
      if (!messageId) return problem(res, 'not-found', `No message ${id} in this group.`);
      if (!JSON_TYPE.test(req.get('Content-Type') ?? ''))
        return problem(res, 'unsupported-media-type', 'Send the body as JSON with "Content-Type: application/json".');
      const read = readWith(editMessageBody, body);
      if ('problem' in read) return problem(res, 'invalid-body', read.problem);
      const changed = await this.messages.changeAsIntegration(this.own(token), messageId, read.data.text);
      if ('refused' in changed && changed.refused !== 'same') return this.refused(res, messageId, changed.refused);
      this.answer(res, 200, changed.record!);
    });
  }

  @Delete(':id')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Delete one of the integration’s own messages (scope "edit"); deleting it again changes nothing' })
  @ApiParam({ name: 'id', type: Number })
  @ApiResponse({ status: 204, description: 'Deleted (or deleted before)', headers: REQUEST_ID })
  @ApiProblem('invalid-token', 'Missing, malformed, revoked or replaced token', 'This token is not valid: it may have been revoked or regenerated.')
  @ApiProblem('not-own-message', 'Not the integration’s own message, or no "edit" scope', 'Only the integration’s own messages can be changed.')
  @ApiProblem('not-found', 'No such message in the token’s group', 'No message 1234 in this group.')
  @ApiProblem('unavailable', 'The service could not answer within 5 s', 'The service could not answer within 5 s.', RETRY_AFTER)
  async remove(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.access.serve(req, res, 'edit', async (token) => {
      const messageId = messageIdOf(id);
      if (!messageId) return problem(res, 'not-found', `No message ${id} in this group.`);
      const changed = await this.messages.changeAsIntegration(this.own(token), messageId, null);
      if ('refused' in changed && changed.refused !== 'deleted') return this.refused(res, messageId, changed.refused);
      if (!res.headersSent) res.status(204).end();
    });
  }

  private own(token: GroupApiToken) {
    return { companyId: token.company.id, conversationId: token.conversation.id, integrationId: token.integration.id };
  }

  private refused(res: Response, messageId: number, why: 'missing' | 'not-own' | 'deleted' | 'same'): void {
    if (why === 'missing') return problem(res, 'not-found', `No message ${messageId} in this group.`);
    if (why === 'not-own') return problem(res, 'not-own-message', 'Only the integration’s own messages can be changed.');
    return problem(res, 'message-deleted', `Message ${messageId} was deleted: it can no longer be edited.`);
  }

  /**
   * A browser's preflight carries no token, so an origin passes if some integration allows it; the real request
   * then checks it against its own token's list.
   */
  @Options(['', ':id'])
  @ApiExcludeEndpoint()
  async preflight(@Req() req: Request, @Res() res: Response): Promise<void> {
    const origin = req.get('Origin');
    if (origin && origin !== ownOrigin(req) && !(await this.tokens.originAllowed(origin)))
      return problem(res, 'origin-not-allowed', `Calls from ${origin} are not allowed by any integration.`);
    if (origin) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key',
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    res.status(204).end();
  }
}
