import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase } from './embedded-database';

const asRoot = process.getuid?.() === 0;
if (!asRoot) console.warn('Skipping the root-only embedded PostgreSQL permission check: this process is not root.');

(asRoot ? describe : describe.skip)('the embedded PostgreSQL as root', () => {
  it('explains, instead of crashing, when the postgres user cannot reach the data directory', async () => {
    const closed = await mkdtemp(join(tmpdir(), 'gwar-closed-')); // mkdtemp makes it 0700
    try {
      await expect(startEmbeddedDatabase(join(closed, 'data'))).rejects.toThrow(`cannot enter ${closed}. Allow it (chmod o+x ${closed})`);
    } finally {
      await rm(closed, { recursive: true, force: true });
    }
  });
});
