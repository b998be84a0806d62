import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { has } from '../accounts/plans';
import { User } from '../accounts/user.entity';
import { ConversationMember } from '../chat/conversation-member.entity';
import { scopedCompanyId } from '../database/company-scope';
import { KINDS, KindDef } from '../crm/crm-kinds';
import { MessageHit, searchMessages } from './message-search';
import { SearchInput } from './search-input';

export const OTHER_HITS = 8;

export interface SearchResults {
  q: string;
  messages: MessageHit[];
  next: string | null;
  people: User[];
  groups: { id: number; name: string }[];
  crm: { kind: KindDef; rows: { id: number; name: string }[]; more: boolean }[];
  total: number;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One query over everything the user may see in their company; each kind answers from its own table. */
@Injectable()
export class SearchService {
  constructor(private readonly em: EntityManager) {}

  async search(me: User, input: SearchInput): Promise<SearchResults> {
    const chat = has(me.company, 'chat');
    const results: SearchResults = { q: input.q, messages: [], next: null, people: [], groups: [], crm: [], total: 0 };
    if (!input.q) return results;
    const companyId = scopedCompanyId(this.em);
    if (chat) {
      const found = await searchMessages(this.em, { companyId, userId: me.id, help: has(me.company, 'help') }, input);
      Object.assign(results, { messages: found.hits, next: found.next });
    }
    // Further pages are of messages only: the rest came with the first.
    if (!input.after) {
      const like = likePattern(input.q);
      if (chat) {
        results.people = await this.em.find(
          User,
          { active: true, id: { $ne: me.id }, $or: [{ name: { $ilike: like } }, { email: { $ilike: like } }] },
          { orderBy: { name: 'asc', id: 'asc' }, limit: OTHER_HITS },
        );
        const memberships = await this.em.find(
          ConversationMember,
          { user: me.id, conversation: { kind: 'group', name: { $ilike: like } } },
          { populate: ['conversation'], orderBy: { conversation: { name: 'asc', id: 'asc' } }, limit: OTHER_HITS },
        );
        results.groups = memberships.map((m) => ({ id: m.conversation.id, name: m.conversation.name ?? '' }));
      }
      for (const kind of KINDS) {
        const rows = await this.em.find(
          kind.entity,
          { name: { $ilike: like } },
          { orderBy: { name: 'asc', id: 'asc' }, limit: OTHER_HITS + 1, fields: ['id', 'name'] as never[] },
        );
        if (rows.length) results.crm.push({ kind, rows: rows.slice(0, OTHER_HITS), more: rows.length > OTHER_HITS });
      }
    }
    results.total = results.messages.length + results.people.length + results.groups.length + results.crm.reduce((n, k) => n + k.rows.length, 0);
    return results;
  }
}
