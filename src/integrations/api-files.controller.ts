import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { refusalText } from '../accounts/plan-refusal';
import { has } from '../accounts/plans';
import { UploadsService } from '../files/uploads.service';
import { LimitsService } from '../security/limits.service';
import { ApiAccess } from './api-access';
import { PostedMessage } from './api-message.dto';
import { ApiProblem, REQUEST_ID, RETRY_AFTER } from './api-docs.decorators';
import { apiMessage } from './api-message.view';
import { problem } from './problem';

/** An integration's file: a message of its own in the group, with the files rules of the chat (size, type, thumbnail). */
@ApiTags('Group messages')
@Controller('api/v1/files')
export class ApiFilesController {
  constructor(
    private readonly access: ApiAccess,
    private readonly uploads: UploadsService,
    private readonly limits: LimitsService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Send a file into the group (scope "files")',
    description: 'multipart/form-data with one part named "file"; at most 25 MB by default.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiResponse({ status: 201, description: 'The message carrying the file', type: PostedMessage, headers: REQUEST_ID })
  @ApiProblem('bad-request', 'The upload was cut off', 'The upload was cut off.')
  @ApiProblem('invalid-token', 'Missing, malformed, revoked or replaced token', 'This token is not valid: it may have been revoked or regenerated.')
  @ApiProblem('insufficient-scope', 'No "files" scope, or the origin or plan does not allow it', 'This token has no "files" scope.')
  @ApiProblem('payload-too-large', 'Over the file size limit (25 MB by default)', 'The file is too large.')
  @ApiProblem('unsupported-media-type', 'Not multipart/form-data', 'Send the file as multipart/form-data with a part named "file".')
  @ApiProblem('invalid-body', 'No part named "file", or an empty file', 'The file is empty.')
  @ApiProblem('rate-limited', 'Too many files for this integration', 'Too many files for this integration. Retry after 12 s.', RETRY_AFTER)
  @ApiProblem('unavailable', 'The service could not answer within 5 s', 'The service could not answer within 5 s.', RETRY_AFTER)
  async create(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.access.serve(req, res, 'files', async (token) => {
      if (!has(token.company, 'files')) {
        req.resume();
        return problem(res, 'plan-required', refusalText('files', 'en'));
      }
      if (!/^multipart\/form-data\b/i.test(req.get('Content-Type') ?? '')) {
        req.resume();
        return problem(res, 'unsupported-media-type', 'Send the file as multipart/form-data with a part named "file".');
      }
      const limit = await this.limits.consume('uploads', `integration:${token.integration.id}`);
      if (!limit.allowed) {
        req.resume();
        res.set('Retry-After', String(limit.retryAfterSeconds));
        return problem(res, 'rate-limited', `Too many files for this integration. Retry after ${limit.retryAfterSeconds} s.`);
      }
      const sender = { integrationId: token.integration.id, integrationName: token.integration.name, displayName: null };
      const result = await this.uploads.receive(req, sender, token.conversation, randomUUID());
      if (!result.ok) {
        const detail = {
          'files.tooLarge': 'The file is too large.',
          'files.empty': 'The file is empty.',
          'files.missing': 'Send one part named "file".',
          'files.interrupted': 'The upload was cut off.',
          'chat.messageInvalid': 'The clientId field must be a UUID.',
        }[result.error];
        return problem(res, result.status === 413 ? 'payload-too-large' : result.status === 400 ? 'bad-request' : 'invalid-body', detail);
      }
      if (!res.headersSent) res.status(201).json(apiMessage(result.record));
    });
  }
}
