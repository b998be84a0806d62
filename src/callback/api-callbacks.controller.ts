import { Body, Controller, HttpCode, Options, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiExcludeEndpoint, ApiOperation, ApiProperty, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiProblem, ApiProblems, REQUEST_ID, RETRY_AFTER } from '../integrations/api-docs.decorators';
import { openApiSchema, Problem, readWith } from '../integrations/api-message.dto';
import { problem } from '../integrations/problem';
import { LivechatSettingsService } from '../livechat/settings.service';
import { translator } from '../web/i18n/translator';
import type { MessageKey } from '../web/i18n/en';
import { callbackInput, CallbackIntake } from './intake.service';
import { CallbackSettingsService } from './settings.service';

export const WIDGET_KEY_HEADER = 'X-Widget-Key';
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

export class CallbackAccepted {
  @ApiProperty({ example: 42, description: 'The request’s id in the queue' }) id!: number;
  @ApiProperty({ example: '+48600100200', description: 'The number as it will be called (E.164)' }) phone!: string;
  @ApiProperty({ example: false, description: 'True when the number was already waiting and this request joined it' }) merged!: boolean;
}

const CHALLENGE_DETAIL =
  'Many requests came from this address today: solve "challenge" (ALTCHA, SHA-256; altcha-lib’s solveChallenge) and send the request again with "challenge": base64 of {"challenge": …, "solution": …}.';
const CHALLENGE_EXAMPLE = {
  parameters: { algorithm: 'SHA-256', nonce: '3f1c…', salt: '9a0b…', cost: 4, keyLength: 32, keyPrefix: '00', expiresAt: 1767225600, data: { widget: '7' } },
  signature: 'b5e2…',
};

export class ChallengeProblem extends Problem {
  @ApiProperty({
    required: false,
    type: Object,
    additionalProperties: true,
    description: 'challenge-required only: the ALTCHA challenge to solve (valid 10 minutes, for this widget)',
  })
  challenge?: object;
}

/**
 * A website's (or any system's) "call me back": the widget's public key names the company, and a browser may
 * call only from the websites the widget lists. Problems are RFC 9457, in English, saying why.
 */
@ApiTags('Callback')
@Controller('api/v1/callbacks')
export class ApiCallbacksController {
  constructor(
    private readonly widgets: LivechatSettingsService,
    private readonly settings: CallbackSettingsService,
    private readonly intake: CallbackIntake,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiSecurity('widgetKey')
  @ApiOperation({
    summary: 'Ask to be called back',
    description:
      'Queues a callback request in the company’s "CallBack" group. A request for a number already waiting joins it (200, merged) instead of adding a second one.',
  })
  @ApiBody({ schema: openApiSchema(callbackInput) })
  @ApiResponse({ status: 201, description: 'Queued', type: CallbackAccepted, headers: REQUEST_ID })
  @ApiResponse({ status: 200, description: 'The number was already waiting: the request joined it', type: CallbackAccepted, headers: REQUEST_ID })
  @ApiProblem('bad-request', 'Malformed JSON', 'The request could not be read.')
  @ApiProblem('missing-token', 'No widget key', 'Send the widget’s public key as "X-Widget-Key".')
  @ApiProblems(
    'A browser call from a website the widget does not list, or an address over the day’s threshold without a solved proof of work: the problem carries the ALTCHA challenge to solve',
    {
      'origin-not-allowed': { detail: 'Calls from https://example.com are not allowed for this widget.' },
      'challenge-required': { detail: CHALLENGE_DETAIL, challenge: CHALLENGE_EXAMPLE },
    },
    ChallengeProblem,
  )
  @ApiProblem('not-found', 'No widget with this key, or Callback is off', 'No Callback for this key.')
  @ApiProblem('unsupported-media-type', 'Not application/json', 'Send the body as JSON with "Content-Type: application/json".')
  @ApiProblem('invalid-body', 'A field is missing or wrong; an invalid number says why', '"phone": the number is too short.')
  @ApiProblem(
    'rate-limited',
    'Too many requests from this address, for this number, or for the company today',
    'Too many requests from this address today.',
    RETRY_AFTER,
  )
  @ApiProblem('internal-error', 'A fault of the server: give the request id when you report it', 'An unexpected error occurred.')
  async create(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const key = req.get(WIDGET_KEY_HEADER);
    if (!key) return problem(res, 'missing-token', `Send the widget’s public key as "${WIDGET_KEY_HEADER}".`);
    const widget = await this.widgets.byKey(key);
    const settings = widget && (await this.settings.live(widget.companyId));
    const origin = req.get('Origin');
    if (widget && origin && origin !== `${req.protocol}://${req.get('host')}` && !widget.origins.includes(origin))
      return problem(res, 'origin-not-allowed', `Calls from ${origin} are not allowed for this widget.`);
    if (origin) res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After, X-Request-Id', Vary: 'Origin' });
    if (!widget || !settings) return problem(res, 'not-found', 'No Callback for this key.');
    if (!JSON_TYPE.test(req.get('Content-Type') ?? ''))
      return problem(res, 'unsupported-media-type', 'Send the body as JSON with "Content-Type: application/json".');
    const read = readWith(callbackInput, body);
    if ('problem' in read) return problem(res, 'invalid-body', read.problem);
    const result = await this.intake.submit(settings, read.data, { ip: req.ip ?? '', source: 'api' });
    const en = translator('en');
    if (result.ok) return void res.status(result.merged ? 200 : 201).json({ id: result.id, phone: result.phone, merged: result.merged });
    if (result.kind === 'invalid')
      return problem(res, 'invalid-body', `"${result.field}": ${en(result.key as MessageKey)}`, { errors: [{ field: result.field, reason: result.key }] });
    if (result.kind === 'challenge')
      return problem(
        res,
        'challenge-required',
        result.key === 'callback.challengeFailed' ? `The solution was wrong, expired or already used. ${CHALLENGE_DETAIL}` : CHALLENGE_DETAIL,
        {
          challenge: result.challenge,
        },
      );
    if (result.kind === 'limited') res.set('Retry-After', String(result.retryAfter));
    problem(res, 'rate-limited', en(result.key as MessageKey));
  }

  @Options()
  @ApiExcludeEndpoint()
  async preflight(@Req() req: Request, @Res() res: Response): Promise<void> {
    const origin = req.get('Origin');
    const widget = await this.widgets.byKey(req.get(WIDGET_KEY_HEADER) ?? '');
    // A preflight carries no key header value: any website a widget lists may ask; the POST checks its own widget.
    if (origin && !(widget ? widget.origins.includes(origin) : await this.widgets.originListed(origin)))
      return problem(res, 'origin-not-allowed', `Calls from ${origin} are not allowed by any widget.`);
    if (origin)
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': `Content-Type, ${WIDGET_KEY_HEADER}`,
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    res.status(204).end();
  }
}
