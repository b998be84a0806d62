import { LinkedObject, objectRefOf, refKey } from './object-links';

export type TextStyle = 'strong' | 'em' | 'code';
export type Segment =
  { type: 'text'; text: string; style?: TextStyle } | { type: 'url'; url: string; label?: string } | { type: 'object'; object: LinkedObject };

const URL = String.raw`https?:\/\/[^\s<>"'|]+`;
/**
 * Links, in the order they are tried at each place: Slack's <url|label> and <url>, Markdown's [label](url), and a
 * bare URL. A label is text; the URL is only ever http(s).
 */
const LINK_PATTERN = new RegExp(String.raw`<(${URL})(?:\|([^<>\n]{1,200}))?>|\[([^\[\]\n]{1,200})\]\((${URL})\)|\b(${URL})`, 'gi');
const TRAILING = /[).,;:!?\]]+$/;
/**
 * Markdown-lite, one level, never across lines: `code` first (its content stays as typed), then **strong**, then
 * *em* or _em_. A marker opens only before a non-space and closes only after one, and _ only at word edges, so
 * 2*3*4 and snake_case_names stay as typed.
 */
const STYLE_PATTERN =
  /`([^`\n]+)`|\*\*(?=\S)([^*\n]*?\S)\*\*|(?<![\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])|(?<![\w_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\w_])/g;

function styled(text: string): Segment[] {
  const parts: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(STYLE_PATTERN)) {
    const start = match.index ?? 0;
    if (start > last) parts.push({ type: 'text', text: text.slice(last, start) });
    const [, code, strong, star, underscore] = match;
    if (code !== undefined) parts.push({ type: 'text', text: code, style: 'code' });
    else if (strong !== undefined) parts.push({ type: 'text', text: strong, style: 'strong' });
    else parts.push({ type: 'text', text: star ?? underscore, style: 'em' });
    last = start + match[0].length;
  }
  if (last < text.length) parts.push({ type: 'text', text: text.slice(last) });
  return parts;
}

/**
 * Splits a message into text (plain or styled), links (plain or labelled) and links to objects of this system
 * that the reader's company has. The template escapes every part, so a message can never inject markup.
 */
export function segments(text: string, objects: Map<string, LinkedObject> = new Map()): Segment[] {
  const parts: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK_PATTERN)) {
    const [whole, angleUrl, angleLabel, mdLabel, mdUrl, bareMatch] = match;
    const start = match.index ?? 0;
    let end = start + whole.length;
    let url = angleUrl ?? mdUrl;
    const label = angleLabel ?? mdLabel;
    if (bareMatch !== undefined) {
      const trailing = TRAILING.exec(bareMatch)?.[0] ?? '';
      url = bareMatch.slice(0, bareMatch.length - trailing.length);
      end = start + url.length;
    }
    if (start > last) parts.push(...styled(text.slice(last, start)));
    const ref = objectRefOf(url);
    const object = ref && objects.get(refKey(ref));
    parts.push(object && !label ? { type: 'object', object } : label?.trim() ? { type: 'url', url, label: label.trim() } : { type: 'url', url });
    last = end;
  }
  if (last < text.length) parts.push(...styled(text.slice(last)));
  return parts;
}

/** Whether the message shows other than as typed (styles, labels): its editor then needs the text as typed. */
export function isFormatted(parts: Segment[]): boolean {
  return parts.some((p) => (p.type === 'text' && p.style) || (p.type === 'url' && p.label));
}
