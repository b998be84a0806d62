import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { FeatureRefused, refusalText } from '../accounts/plan-refusal';
import { problemKindOf, problemType } from '../integrations/problem';
import type { GwarRequest } from './gwar-request';
import { localeFromAcceptLanguage, translator } from './i18n/translator';
import { isHtmx, render } from './view';

const KNOWN = new Set([400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503]);

function statusOf(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** Browsers get a page in their language, API callers an RFC 9457 problem, and a stranger to the session the sign-in page. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const req = host.switchToHttp().getRequest<GwarRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    const status = statusOf(error);
    if (status >= 500) this.logger.error(`request ${req.id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (res.headersSent) return;
    const locale = req.locale ?? localeFromAcceptLanguage(req.get('Accept-Language'));
    const t = req.t ?? translator(locale);
    // A feature outside the plan says which plans have it, on the page and in the problem alike.
    const planRefusal = error instanceof FeatureRefused ? refusalText(error.feature, locale) : undefined;
    const code = KNOWN.has(status) ? status : status >= 500 ? 500 : 400;
    // The Livechat widget's API (its iframe's script) is an API too: a problem, never the sign-in page.
    const wantsProblem =
      req.path.startsWith('/api/') || /^\/livechat\/[^/]+\/api\//.test(req.path) || (req.accepts(['html', 'json']) === 'json' && !isHtmx(req));

    if (wantsProblem) {
      // Every problem says what happened; one the server caused names the request to ask about.
      const detail = planRefusal ?? (status < 500 && error instanceof HttpException ? this.detail(error) : undefined) ?? t(`error.${code}.text`);
      res
        .status(status)
        .type('application/problem+json')
        .json({
          // The API names each problem (its URI describes it); elsewhere a status says enough.
          type: req.path.startsWith('/api/') ? problemType(problemKindOf(status)) : 'about:blank',
          title: t(`error.${code}.title`),
          status,
          detail: status >= 500 ? `${detail} (request ${req.id})` : detail,
          requestId: req.id,
        });
      return;
    }
    if (status === 401) {
      const target = `/login?returnTo=${encodeURIComponent(req.originalUrl)}`;
      if (isHtmx(req)) res.set('HX-Redirect', target).status(401).end();
      else res.redirect(303, target);
      return;
    }
    const csrf = error instanceof HttpException && error.message === 'csrf';
    render(
      req,
      res,
      'web/error',
      { t, status: code, title: t(`error.${code}.title`), message: planRefusal ?? (csrf ? t('error.csrf') : t(`error.${code}.text`)) },
      { status },
    );
  }

  private detail(error: HttpException): string | undefined {
    const response = error.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : undefined;
  }
}
