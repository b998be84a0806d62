import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Where file contents live; a directory by default, and small enough to put object storage behind later. */
export interface FileStorage {
  /** Streams into a key; nothing stays behind if the stream fails. */
  write(key: string, source: Readable): Promise<number>;
  /** Moves a finished temporary file in under a key. */
  adopt(key: string, path: string): Promise<void>;
  read(key: string): Readable;
  size(key: string): Promise<number>;
  remove(key: string): Promise<void>;
  /** A path for a temporary file that is not yet stored. */
  temporaryPath(name: string): Promise<string>;
}

export class DiskFileStorage implements FileStorage {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    if (!/^[a-z0-9-]{8,100}$/.test(key)) throw new Error(`bad storage key ${key}`);
    return join(this.root, key.slice(0, 2), key);
  }

  async write(key: string, source: Readable): Promise<number> {
    const path = this.path(key);
    await mkdir(join(this.root, key.slice(0, 2)), { recursive: true });
    try {
      await pipeline(source, createWriteStream(path));
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    return (await stat(path)).size;
  }

  async adopt(key: string, path: string): Promise<void> {
    await mkdir(join(this.root, key.slice(0, 2)), { recursive: true });
    await rename(path, this.path(key));
  }

  read(key: string): Readable {
    return createReadStream(this.path(key));
  }

  async size(key: string): Promise<number> {
    return (await stat(this.path(key))).size;
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async temporaryPath(name: string): Promise<string> {
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    return join(this.root, 'tmp', name);
  }
}

export const FILE_STORAGE = Symbol('FILE_STORAGE');
