/** What a search may be asked: the query as typed (cut to a sane length) and where its message hits go on from. */
export const QUERY_MAX_LENGTH = 200;

export interface SearchInput {
  q: string;
  /** The last message hit shown: its rank and id (keyset paging on rank, then id). */
  after: { rank: string; id: number } | null;
}

const CURSOR = /^(\d(?:\.\d{1,12})?(?:e-\d{1,2})?)_(\d{1,15})$/;

export function readSearchInput(query: Record<string, unknown>): SearchInput {
  const raw = typeof query.q === 'string' ? query.q : '';
  // Control characters (and the highlighter's private-use markers) say nothing to a search.
  const q = raw
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Co}\p{Cs}]/gu, ' ')
    .trim()
    .slice(0, QUERY_MAX_LENGTH);
  const cursor = typeof query.after === 'string' ? CURSOR.exec(query.after) : null;
  return { q, after: cursor ? { rank: cursor[1], id: Number(cursor[2]) } : null };
}

export const cursorOf = (rank: string, id: number): string => `${rank}_${id}`;
