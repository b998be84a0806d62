import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLIC_DIR } from '../config/paths';

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
}

/**
 * A hash of the browser assets, read once at start: it names their URLs, so a page never mixes modules of two
 * versions (a module's imports resolve beside it, under the same version) and caches can keep them long.
 */
export const ASSET_VERSION = createHash('sha256')
  .update(files(PUBLIC_DIR).map((path) => readFileSync(path)).join('\0'))
  .digest('hex')
  .slice(0, 12);
