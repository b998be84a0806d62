/**
 * A request may come from Gwar's own origin (the widget's iframe is Gwar's page) or a website the widget lists;
 * no Origin header at all is a same-origin GET or a non-browser client, which no cookie or token of ours helps.
 */
export function allowedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  try {
    if (new URL(origin).host === host) return true;
  } catch {
    return false;
  }
  return allowed.includes(origin);
}

/** The frame-ancestors source list: Gwar itself (its test page) and the listed websites. */
export function frameAncestors(allowed: readonly string[]): string {
  return ["'self'", ...allowed].join(' ');
}
