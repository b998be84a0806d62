import { EntityManager } from '@mikro-orm/postgresql';
import { HEADLINE_OPTIONS, highlightedHtml, MARK_END, MARK_START } from './highlight';
import { cursorOf, SearchInput } from './search-input';

export const MESSAGE_HITS_PER_PAGE = 20;

export interface MessageHit {
  id: number;
  conversationId: number;
  kind: 'direct' | 'group' | 'help';
  /** The group's name, or the other person's in a one-to-one conversation. */
  conversationName: string | null;
  authorName: string | null;
  createdAt: Date;
  /** The excerpt with the matched words in <mark>, everything else escaped. */
  html: string;
  /** Opens the conversation at this message (see ConversationWindows' `at`). */
  href: string;
}

interface HitRow {
  id: string;
  conversation_id: number;
  client_id: string;
  created_at: string;
  rank: string;
  kind: MessageHit['kind'];
  name: string | null;
  author_name: string | null;
  display_name: string | null;
  other_name: string | null;
  headline: string;
}

/**
 * The best-ranked messages of the user's own conversations in their company (deleted ones have no text, so no
 * vector), after a cursor of (rank, id): the GIN index finds the candidates, membership keeps them to the user.
 * The query is written out where it is used, not in a CTE: with constant arguments the planner computes it
 * once and can judge it against the index. The excerpt is made only for the page's hits.
 */
const HITS_SQL = `with hits as (
    select m.id, m.conversation_id, m.client_id, m.created_at, m.author_id, m.display_name, m.body, ts_rank(m.search_vector, gwar_search_query(?, true)) as rank
      from message m
      join conversation_member cm on cm.conversation_id = m.conversation_id and cm.company_id = m.company_id and cm.user_id = ?
      join conversation c on c.id = m.conversation_id and c.company_id = m.company_id
     where m.company_id = ? and m.search_vector @@ gwar_search_query(?, true) and m.deleted_at is null and (c.kind <> 'help' or ?::boolean)
       and (?::real is null or (ts_rank(m.search_vector, gwar_search_query(?, true)), m.id) < (?::real, ?::bigint))
     order by rank desc, m.id desc
     limit ?
  )
  select h.id, h.conversation_id, h.client_id, h.created_at, h.rank::text as rank, c.kind, c.name, a.name as author_name, h.display_name,
         (select u.name from conversation_member o join app_user u on u.id = o.user_id and u.company_id = o.company_id
           where o.conversation_id = h.conversation_id and o.company_id = ? and o.user_id <> ? order by u.name limit 1) as other_name,
         gwar_search_headline(translate(h.body, ?, ''), gwar_search_query(?, false), ?) as headline
    from hits h
    join conversation c on c.id = h.conversation_id and c.company_id = ?
    left join app_user a on a.id = h.author_id and a.company_id = ?
   order by h.rank desc, h.id desc`;

export async function searchMessages(
  em: EntityManager,
  at: { companyId: number; userId: number; help: boolean },
  input: SearchInput,
): Promise<{ hits: MessageHit[]; next: string | null }> {
  const { companyId, userId } = at;
  const rank = input.after?.rank ?? null;
  const rows = await em
    .getConnection()
    .execute<HitRow[]>(HITS_SQL, [
      input.q,
      userId,
      companyId,
      input.q,
      at.help,
      rank,
      input.q,
      rank,
      input.after?.id ?? 0,
      MESSAGE_HITS_PER_PAGE + 1,
      companyId,
      userId,
      MARK_START + MARK_END,
      input.q,
      HEADLINE_OPTIONS,
      companyId,
      companyId,
    ]);
  const page = rows.slice(0, MESSAGE_HITS_PER_PAGE);
  const last = page[page.length - 1];
  const platform = em.getPlatform();
  return {
    hits: page.map((row) => ({
      id: Number(row.id),
      conversationId: row.conversation_id,
      kind: row.kind,
      conversationName: row.kind === 'group' ? row.name : row.other_name,
      authorName: row.author_name ?? row.display_name,
      createdAt: platform.parseDate(row.created_at),
      html: highlightedHtml(row.headline),
      href: `/chat/conversations/${row.conversation_id}?at=${row.id}#m-${row.client_id}`,
    })),
    next: rows.length > MESSAGE_HITS_PER_PAGE ? cursorOf(last.rank, Number(last.id)) : null,
  };
}
