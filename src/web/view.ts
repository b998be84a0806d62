import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { GwarRequest } from './gwar-request';

const logger = new Logger('view');

export function isHtmx(req: GwarRequest): boolean {
  return req.get('HX-Request') === 'true';
}

/**
 * Renders the full page, or only its fragment for an htmx request: the page template `include`s the same
 * fragment, so both answers come from one partial. A full page also gets what every page shows around its
 * content (the chat panel and windows, from PageChromeInterceptor); a page without it is still a page.
 */
export function render(
  req: GwarRequest,
  res: Response,
  page: string,
  context: object,
  options: { fragment?: string; status?: number; intoMain?: boolean } = {},
): void {
  res.vary('HX-Request');
  // A result page (after a create) takes the place of <main>'s content rather than the form that asked for it.
  if (options.intoMain && isHtmx(req)) res.set({ 'HX-Retarget': '#main', 'HX-Reswap': 'innerHTML' });
  const view = options.fragment && isHtmx(req) ? options.fragment : page;
  const send = (chrome: object = {}) => res.status(options.status ?? 200).render(view, { ...chrome, ...context });
  const whole = !view.split('/').pop()!.startsWith('_');
  if (!whole || !req.pageChrome) return send();
  req.pageChrome().then(send, (err: unknown) => {
    logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    if (!res.headersSent) send();
  });
}

/** After a successful form: a 303 for a plain form, HX-Redirect for htmx so the browser loads the whole page. */
export function redirect(req: GwarRequest, res: Response, url: string): void {
  if (isHtmx(req)) res.set('HX-Redirect', encodeUrl(url)).status(200).end();
  else res.redirect(303, url);
}

/** Characters a URL cannot hold as they are, and a % that starts no escape: what Express encodes in a Location. */
const NOT_IN_URL = /[^\x21\x23-\x3b\x3d\x3f-\x5b\x5d\x5f\x61-\x7a\x7e]|%(?![0-9A-Fa-f]{2})/gu;

/**
 * A URL as a header may carry it, encoded as Express encodes a redirect's Location: a return path typed with a
 * line break or a letter beyond Latin-1 would otherwise make Node refuse the header, and the request answer 500.
 */
export function encodeUrl(url: string): string {
  return url.replace(NOT_IN_URL, (c) => [...Buffer.from(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

/** Only same-site paths, so a crafted returnTo cannot send the user elsewhere. */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : fallback;
}
