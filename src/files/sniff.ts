/** The type a file really is, from its first bytes; the name and the browser's claim are not trusted. */
export function sniffType(head: Buffer): string {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (head.subarray(0, 6).toString('latin1') === 'GIF87a' || head.subarray(0, 6).toString('latin1') === 'GIF89a') return 'image/gif';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'application/zip';
  const text = head.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'image/svg+xml';
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || /<(script|iframe|body|head)[\s>]/.test(text)) return 'text/html';
  if (head.length > 0 && !head.subarray(0, 512).includes(0)) return 'text/plain';
  return 'application/octet-stream';
}

/** Raster images the browser may show inline; everything else (SVG and HTML included) is only ever downloaded. */
export const SAFE_IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
