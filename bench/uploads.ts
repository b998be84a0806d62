import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { BenchDatabase } from './database';
import { BenchOptions } from './options';
import { createCompany, createGroup, createUsers, Member, signIn } from './seed';
import { settle, Target } from './servers';
import { sleep, summarize, Summary } from './stats';

/**
 * Part 7: bursts of large image uploads, several at once, each burst on a fresh instance; the server's RSS
 * (VmRSS) idle before, at its peak, and idle again after the burst: memory should come back near where it was.
 *
 * - over the limit: PNGs of 16,000 × 16,000 (256 MP of one colour, under 1 MB on the wire: a decompression bomb)
 *   and, every tenth, one of 8,000 × 5,000 (40 MP, under the default pixel limit, so it gets a thumbnail);
 * - under the limit: 8,000 × 5,000 PNGs only, every one decoded for its thumbnail.
 */
export interface UploadBurst {
  name: string;
  uploads: number;
  parallel: number;
  /** HTTP status → count. */
  statuses: Record<string, number>;
  /** Stored attachments with and without a thumbnail. */
  thumbnails: number;
  withoutThumbnail: number;
  ms: Summary;
  wallSeconds: number;
  idleSeconds: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  /** After the burst and `idleSeconds` of nothing. */
  rssIdleMb: number;
  /** The same, right after a full garbage collection. */
  rssIdleGcMb: number;
}

export interface UploadsResult {
  bursts: UploadBurst[];
  /** The server's allocator settings (LD_PRELOAD, MALLOC_*), or glibc's default. */
  allocator: string;
  /** IMAGE_MAX_PIXELS when the run sets it. */
  imageMaxPixels: string;
}

interface Setup {
  /** One sender per upload at once: 25 uploads each stay within a user's limit (30 a minute). */
  members: Member[];
  conversationId: number;
}

async function seedSenders(db: BenchDatabase, name: string, senders: number): Promise<Setup> {
  const companyId = await createCompany(db.pool, name);
  const ids = await createUsers(db.pool, companyId, senders + 1, 'Photographer');
  const members = await signIn(db.pool, companyId, ids.slice(0, senders));
  const conversationId = await createGroup(db.pool, companyId, 'Large pictures', ids);
  return { members, conversationId };
}

/** One-colour PNG: tiny on the wire, width × height × 3 bytes once decoded. */
async function png(width: number, height: number): Promise<Blob> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .png({ compressionLevel: 9 })
    .toBuffer();
  return new Blob([new Uint8Array(bytes)], { type: 'image/png' });
}

/** The server's resident memory from /proc (the same as its process.memoryUsage().rss), in bytes. */
async function rssOf(target: Target): Promise<number> {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${target.child.pid}/status`, 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux: ask the server itself
  }
  return (await target.child.call<{ rss: number }>('usage')).rss;
}

async function upload(target: Target, setup: Setup, image: Blob, name: string, lane = 0): Promise<number> {
  const member = setup.members[lane % setup.members.length];
  const form = new FormData();
  form.append('clientId', randomUUID());
  form.append('file', image, name);
  const res = await fetch(`${target.url}/chat/conversations/${setup.conversationId}/attachments`, {
    method: 'POST',
    headers: { Cookie: member.cookie, 'X-CSRF-Token': member.csrf, 'HX-Request': 'true' },
    body: form,
    signal: AbortSignal.timeout(600_000),
  });
  await res.arrayBuffer();
  return res.status;
}

async function burst(
  start: () => Promise<Target>,
  db: BenchDatabase,
  name: string,
  images: (i: number) => { blob: Blob; name: string },
  options: BenchOptions,
  log: (s: string) => void,
): Promise<UploadBurst> {
  const { count, parallel, idleSeconds } = options.uploads;
  const setup = await seedSenders(db, `Pictures ${name}`, parallel);
  const target = await start();
  try {
    // Warm up (routes, templates, sharp itself) with one small image, then idle.
    const warm = await upload(target, setup, await png(640, 480), 'warm-up.png');
    if (warm !== 201) throw new Error(`the warm-up upload gave ${warm}`);
    await settle(target.child, 10_000);
    await sleep(2000);
    const before = await rssOf(target);

    let peak = before;
    const sampler = setInterval(() => {
      rssOf(target).then(
        (rss) => (peak = Math.max(peak, rss)),
        () => undefined,
      );
    }, 200);
    const statuses: Record<string, number> = {};
    const took: number[] = [];
    let next = 0;
    const started = performance.now();
    try {
      await Promise.all(
        Array.from({ length: parallel }, async (_, lane) => {
          while (next < count) {
            const i = next++;
            const image = images(i);
            const t0 = performance.now();
            const status = await upload(target, setup, image.blob, image.name, lane).catch((err: unknown) => `${err instanceof Error ? err.name : 'error'}`);
            took.push(performance.now() - t0);
            statuses[status] = (statuses[status] ?? 0) + 1;
            if ((i + 1) % 25 === 0) log(`  ${name}: ${i + 1}/${count} uploads, RSS peak so far ${(peak / 2 ** 20).toFixed(0)} MB`);
          }
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, await rssOf(target));
    await sleep(idleSeconds * 1000);
    const idle = await rssOf(target);
    await target.child.call('gc');
    await sleep(1000);
    const idleGc = await rssOf(target);
    log(`  ${name}: RSS ${(before / 2 ** 20).toFixed(0)} MB before, ${(peak / 2 ** 20).toFixed(0)} MB peak, ${(idle / 2 ** 20).toFixed(0)} MB idle`);

    const { rows } = await db.pool.query(
      `select count(*) filter (where thumb_key is not null)::int as thumbs, count(*) filter (where thumb_key is null)::int as plain
         from attachment where conversation_id = $1 and name <> 'warm-up.png'`,
      [setup.conversationId],
    );
    return {
      name,
      uploads: count,
      parallel,
      statuses,
      thumbnails: rows[0].thumbs,
      withoutThumbnail: rows[0].plain,
      ms: summarize(took),
      wallSeconds,
      idleSeconds,
      rssBeforeMb: before / 2 ** 20,
      rssPeakMb: peak / 2 ** 20,
      rssIdleMb: idle / 2 ** 20,
      rssIdleGcMb: idleGc / 2 ** 20,
    };
  } finally {
    await target.child.stop();
  }
}

export async function runUploads(start: () => Promise<Target>, db: BenchDatabase, options: BenchOptions, log: (s: string) => void): Promise<UploadsResult> {
  const huge = await png(16_000, 16_000);
  const large = await png(8_000, 5_000);
  log(`  images: 16,000 × 16,000 PNG of ${(huge.size / 1024).toFixed(0)} KB, 8,000 × 5,000 of ${(large.size / 1024).toFixed(0)} KB`);
  const bursts = [
    await burst(
      start,
      db,
      'over the limit',
      (i) => (i % 10 === 9 ? { blob: large, name: `large-${i}.png` } : { blob: huge, name: `huge-${i}.png` }),
      options,
      log,
    ),
    await burst(start, db, 'under the limit', (i) => ({ blob: large, name: `large-${i}.png` }), options, log),
  ];
  return { bursts, allocator: allocator(), imageMaxPixels: process.env.IMAGE_MAX_PIXELS || 'default' };
}

/** The allocator settings the server inherits from this process's environment. */
function allocator(): string {
  const settings = Object.entries(process.env)
    .filter(([key]) => key === 'LD_PRELOAD' || key.startsWith('MALLOC_'))
    .map(([key, value]) => `${key}=${value}`);
  return settings.join(' ') || 'default (glibc malloc on Linux)';
}
