/**
 * How far a conversation has been read, as its ticks need it. A message is read (a green tick) when every member
 * but its author has read up to it, so what matters are the two lowest read pointers: the slowest reader's and
 * the next one's (for messages of the slowest reader). Three numbers describe every tick of a conversation,
 * however large; they only move forward (a new member starts at the newest message), so a page can merge any
 * copy it gets in any order.
 */
export interface ReadWatermark {
  /** The member with the lowest read pointer, or null in a conversation of one. */
  slowest: number | null;
  /** That pointer. */
  lowest: number;
  /** The lowest pointer among everyone else: what the slowest member's own messages are read up to. */
  next: number;
}

export const NOBODY_READ: ReadWatermark = { slowest: null, lowest: 0, next: 0 };

export function watermarkOf(members: { userId: number; lastRead: number }[]): ReadWatermark {
  let first: { userId: number; lastRead: number } | undefined;
  let second: { userId: number; lastRead: number } | undefined;
  for (const m of members) {
    if (!first || m.lastRead < first.lastRead || (m.lastRead === first.lastRead && m.userId < first.userId)) {
      second = first;
      first = m;
    } else if (!second || m.lastRead < second.lastRead || (m.lastRead === second.lastRead && m.userId < second.userId)) {
      second = m;
    }
  }
  // Alone in a conversation, nobody else can read: nothing turns green.
  if (!first || !second) return NOBODY_READ;
  return { slowest: first.userId, lowest: first.lastRead, next: second.lastRead };
}

/** Up to which message every member but this author has read. */
export function readUpTo(watermark: ReadWatermark, authorId: number): number {
  return authorId === watermark.slowest ? watermark.next : watermark.lowest;
}

export function isRead(watermark: ReadWatermark, messageId: number, authorId: number | null): boolean {
  return authorId !== null && messageId <= readUpTo(watermark, authorId);
}

export function sameWatermark(a: ReadWatermark, b: ReadWatermark): boolean {
  return a.slowest === b.slowest && a.lowest === b.lowest && a.next === b.next;
}

/** As the page carries it, in a data attribute and in pushes: "slowest:lowest:next". */
export function encodeWatermark(w: ReadWatermark): string {
  return `${w.slowest ?? 0}:${w.lowest}:${w.next}`;
}

export function decodeWatermark(encoded: string): ReadWatermark {
  const [slowest, lowest, next] = encoded.split(':').map(Number);
  return { slowest: slowest || null, lowest: lowest || 0, next: next || 0 };
}
