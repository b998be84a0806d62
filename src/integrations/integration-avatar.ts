import busboy from 'busboy';
import type { Request } from 'express';
import sharp from 'sharp';
import { sniffType, SAFE_IMAGES } from '../files/sniff';
import type { MessageKey } from '../web/i18n/en';

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
const AVATAR_SIZE = 128;

/** A 1×1 transparent PNG. */
export const TRANSPARENT_PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADUlEQVQImWNgYGBgAAAABQABh6FO1AAAAABJRU5ErkJggg==', 'base64');

/** The one file of an avatar form, in memory (it is small), or why there is none. */
export function readAvatarUpload(req: Request): Promise<{ bytes: Buffer } | { error: MessageKey; status: 413 | 422 | 400 }> {
  if (Number(req.get('content-length') ?? 0) > AVATAR_MAX_BYTES + 16 * 1024) {
    req.resume();
    return Promise.resolve({ error: 'api.avatarTooLarge', status: 413 });
  }
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 5, fileSize: AVATAR_MAX_BYTES + 1 } });
    } catch {
      req.resume();
      return resolve({ error: 'api.avatarMissing', status: 422 });
    }
    const chunks: Buffer[] = [];
    let tooLarge = false;
    parser.on('file', (_name, stream) => {
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => (tooLarge = true));
    });
    parser.on('error', () => resolve({ error: 'files.interrupted', status: 400 }));
    parser.on('close', () => {
      const bytes = Buffer.concat(chunks);
      if (tooLarge) resolve({ error: 'api.avatarTooLarge', status: 413 });
      else if (!bytes.length) resolve({ error: 'api.avatarMissing', status: 422 });
      else resolve({ bytes });
    });
    req.on('aborted', () => resolve({ error: 'files.interrupted', status: 400 }));
    req.pipe(parser);
  });
}

/** A square PNG of the picture, without its metadata; null when it is not a plain image that decodes within the pixel limit. */
export async function avatarPng(bytes: Buffer, maxPixels: number): Promise<Buffer | null> {
  if (!SAFE_IMAGES.has(sniffType(bytes.subarray(0, 64)))) return null;
  try {
    return await sharp(bytes, { limitInputPixels: maxPixels, animated: false })
      .rotate()
      .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover' })
      .png({ compressionLevel: 9 })
      .toBuffer();
  } catch {
    return null;
  }
}
