import { escapeHtml } from '../web/escape-html';

/**
 * ts_headline marks the matched words with these two private-use characters (taken out of the text first);
 * the text is then escaped as any user text is, and only the markers become <mark>: nothing the author wrote
 * can become markup.
 */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';

export const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=24, MinWords=8, ShortWord=1, MaxFragments=2, FragmentDelimiter=" … "`;

export function highlightedHtml(headline: string): string {
  return escapeHtml(headline).replaceAll(MARK_START, '<mark>').replaceAll(MARK_END, '</mark>');
}
