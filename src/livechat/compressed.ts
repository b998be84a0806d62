import type { Request, Response } from 'express';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/** A body gzipped when the browser takes it: the widget's budget counts bytes on the wire. */
export function sendCompressed(req: Request, res: Response, body: Buffer, gzipped: Buffer | undefined, type: string, cacheControl: string): void {
  res.set({ 'Content-Type': type, 'Cache-Control': cacheControl });
  res.vary('Accept-Encoding');
  if (/\bgzip\b/.test(req.get('Accept-Encoding') ?? '')) {
    res.set('Content-Encoding', 'gzip');
    res.end(gzipped ?? gzipSync(body, { level: 9 }));
  } else res.end(body);
}

/** The widget's static files, read and gzipped once. */
export class StaticAsset {
  private loaded?: { body: Buffer; gzipped: Buffer };

  constructor(
    private readonly path: string,
    readonly type: string,
  ) {}

  get(): { body: Buffer; gzipped: Buffer } {
    if (!this.loaded) {
      const body = readFileSync(this.path);
      this.loaded = { body, gzipped: gzipSync(body, { level: 9 }) };
    }
    return this.loaded;
  }
}
