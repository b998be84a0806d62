import { LinkedObject, objectRefOf, refKey } from './object-links';

export type Segment = { type: 'text'; text: string } | { type: 'url'; url: string } | { type: 'object'; object: LinkedObject };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING = /[).,;:!?\]]+$/;

/**
 * Splits a message into text, plain links and links to objects of this system that the reader's company has.
 * The template escapes every part, so a message can never inject markup.
 */
export function segments(text: string, objects: Map<string, LinkedObject> = new Map()): Segment[] {
  const parts: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const trailing = TRAILING.exec(match[0])?.[0] ?? '';
    const url = match[0].slice(0, match[0].length - trailing.length);
    const start = match.index ?? 0;
    if (start > last) parts.push({ type: 'text', text: text.slice(last, start) });
    const ref = objectRefOf(url);
    const object = ref && objects.get(refKey(ref));
    parts.push(object ? { type: 'object', object } : { type: 'url', url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ type: 'text', text: text.slice(last) });
  return parts;
}
