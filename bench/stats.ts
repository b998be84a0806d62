/** Latency summaries. A delivery that never arrived counts as infinitely late, so loss shows in the tail. */
export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(samples: number[], missing = 0): Summary {
  const sorted = Float64Array.from(samples).sort();
  const total = sorted.length + missing;
  const at = (q: number) => {
    if (total === 0) return NaN;
    const rank = Math.min(total - 1, Math.max(0, Math.ceil(q * total) - 1));
    return rank < sorted.length ? sorted[rank] : Infinity;
  };
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: missing > 0 ? Infinity : (sorted[sorted.length - 1] ?? NaN) };
}

export function median(values: number[]): number {
  return summarize(values).p50;
}

export const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until the check passes or the time is up; returns whether it passed. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}
