import type { Response } from 'express';
import type { GwarRequest } from './gwar-request';

export function isHtmx(req: GwarRequest): boolean {
  return req.get('HX-Request') === 'true';
}

/**
 * Renders the full page, or only its fragment for an htmx request: the page template `include`s the same
 * fragment, so both answers come from one partial.
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
  res.status(options.status ?? 200).render(options.fragment && isHtmx(req) ? options.fragment : page, context);
}

/** After a successful form: a 303 for a plain form, HX-Redirect for htmx so the browser loads the whole page. */
export function redirect(req: GwarRequest, res: Response, url: string): void {
  if (isHtmx(req)) res.set('HX-Redirect', url).status(200).end();
  else res.redirect(303, url);
}

/** Only same-site paths, so a crafted returnTo cannot send the user elsewhere. */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : fallback;
}
