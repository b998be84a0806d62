import type { Response } from 'express';
import { contentDisposition } from './file-name';
import type { FileStorage } from './file-storage';
import { SAFE_IMAGES } from './sniff';

export interface ServedFile {
  name: string;
  mime: string;
  size: number | string;
  storageKey: string;
  thumbKey?: string | null;
}

/**
 * A stored file as every part of Gwar sends it: only raster images that decoded within the pixel limit (they have
 * a thumbnail) are shown in the page; an image too big to decode, SVG, HTML and everything else is downloaded,
 * never rendered, and sandboxed if it is opened anyway.
 */
export function sendFile(res: Response, files: FileStorage, file: ServedFile): void {
  const inline = SAFE_IMAGES.has(file.mime) && !!file.thumbKey;
  res.set({
    'Content-Type': inline ? file.mime : file.mime === 'text/plain' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
    'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', file.name),
    'Content-Length': String(file.size),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "sandbox; default-src 'none'",
    'Cache-Control': 'private, max-age=86400',
  });
  pipe(res, files, file.storageKey);
}

/** A file's thumbnail (always WebP, made by Gwar). */
export function sendThumbnail(res: Response, files: FileStorage, thumbKey: string): void {
  res.set({ 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=86400', 'X-Content-Type-Options': 'nosniff' });
  pipe(res, files, thumbKey);
}

function pipe(res: Response, files: FileStorage, key: string): void {
  const stream = files.read(key);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
