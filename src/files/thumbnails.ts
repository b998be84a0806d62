import sharp, { type SharpOptions } from 'sharp';

/*
 * sharp (libvips) for untrusted uploads, process-wide. libvips' operation cache holds recent operations and the
 * images they opened (50 MB, 20 open files and 100 operations by default): every upload is a new file, so nothing
 * is ever reused; keep it small and holding no files open. One libvips thread per image (what sharp chooses itself
 * on glibc without jemalloc, made explicit); how many images at once is bounded by Thumbnails below.
 */
sharp.cache({ memory: 8, files: 0, items: 10 });
sharp.concurrency(1);

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 480;

/** An image's metadata-free thumbnail (WebP) and its upright size. */
export interface Thumbnail {
  webp: Buffer;
  width: number;
  height: number;
}

/** At most `size` tasks at once; the others wait their turn, first come first served. */
export class Slots {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.size) this.running++;
    // A slot is handed over as it is released: `running` stays the same.
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * Makes thumbnails of uploaded images, at most `atOnce` at a time in this process, and only of images of at most
 * `maxPixels` pixels. A bigger image, or one that does not decode cleanly, gets no thumbnail: it stays a file to
 * download. The pixel limit is checked on the header before anything is decoded, and the image is read
 * sequentially and shrunk as it is read, so memory is bounded by the limit, not by what a file claims.
 */
export class Thumbnails {
  private readonly slots: Slots;

  constructor(
    private readonly maxPixels: number,
    atOnce = 2,
  ) {
    this.slots = new Slots(atOnce);
  }

  /** The thumbnail, or null when the file is not an image sharp decodes within the limit. */
  make(path: string): Promise<Thumbnail | null> {
    return this.slots.run(() => this.render(path).catch(() => null));
  }

  private async render(path: string): Promise<Thumbnail | null> {
    const input: SharpOptions = { limitInputPixels: this.maxPixels, failOn: 'warning', sequentialRead: true, autoOrient: true };
    // The header alone: sharp refuses an image over limitInputPixels here already; the check below says so plainly.
    const meta = await sharp(path, input).metadata();
    if (!meta.width || !meta.height || meta.width * meta.height > this.maxPixels) return null;
    // sharp's output carries no EXIF, GPS or other metadata.
    const webp = await sharp(path, input).resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
    return { webp, width: meta.autoOrient.width, height: meta.autoOrient.height };
  }
}
