import busboy from 'busboy';
import type { Request } from 'express';
import sharp from 'sharp';
import { sniffType, SAFE_IMAGES } from '../files/sniff';
import type { MessageKey } from '../web/i18n/en';

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
const AVATAR_SIZE = 128;

/** Colours that white letters stand out on (contrast over 4.5:1). */
const PALETTE = ['#1f5f8b', '#6b3fa0', '#2e6b30', '#a3301f', '#7a4a00', '#00606b', '#4a4f9c', '#8a2c62'];

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

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * An integration without a picture of its own: its initials on a rounded square of its colour, with a robot's head
 * in the corner. Square, never the round avatar of a person, so that no name makes it pass for a member.
 */
export function generatedAvatar(id: number, name: string): string {
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => [...word][0] ?? '')
    .join('')
    .toLocaleUpperCase();
  const colour = PALETTE[id % PALETTE.length];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">` +
    `<rect width="64" height="64" rx="12" fill="${colour}"/>` +
    `<text x="30" y="40" text-anchor="middle" font-family="system-ui,sans-serif" font-size="24" font-weight="700" fill="#fff">${escapeXml(initials)}</text>` +
    `<g fill="#fff"><rect x="44" y="46" width="14" height="11" rx="3"/><rect x="50" y="41" width="2" height="5"/><circle cx="51" cy="40" r="2"/></g>` +
    `<g fill="${colour}"><circle cx="48" cy="51" r="1.6"/><circle cx="54" cy="51" r="1.6"/></g>` +
    `</svg>`
  );
}
