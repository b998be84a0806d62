import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { ForbiddenException, Injectable } from '@nestjs/common';
import { requireFeature } from '../accounts/plan-refusal';
import { User } from '../accounts/user.entity';
import { Conversation } from '../chat/conversation.entity';
import type { OpenConversation } from '../chat/conversations.service';
import { newToken, sha256 } from '../security/tokens';
import { GroupApiToken, Scope } from './group-api-token.entity';
import { Integration } from './integration.entity';

const TOKEN_PATTERN = /^gwar_[A-Za-z0-9_-]{43}$/;

/** Normalizes a list of website origins (scheme://host[:port]); anything else is refused. */
export function parseOrigins(text: string): { origins: string[]; invalid: string[] } {
  const origins: string[] = [];
  const invalid: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    try {
      const url = new URL(entry);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin !== 'null' && entry.replace(/\/$/, '') === url.origin) origins.push(url.origin);
      else invalid.push(entry);
    } catch {
      invalid.push(entry);
    }
  }
  return { origins: [...new Set(origins)], invalid };
}

@Injectable()
export class GroupTokensService {
  constructor(private readonly em: EntityManager) {}

  /** Administrators and directors of a group, in a company whose plan has group tokens (the API add-on). */
  assertManages(me: User, open: OpenConversation): void {
    requireFeature(me.company, 'groupTokens');
    if (open.conversation.kind !== 'group' || !open.rights.apiToken) throw new ForbiddenException();
  }

  current(open: OpenConversation): Promise<GroupApiToken | null> {
    return this.em.findOne(GroupApiToken, { conversation: open.conversation.id }, { populate: ['integration'] });
  }

  /** The group's integration, token or not: its name is the form's default. */
  integration(open: OpenConversation): Promise<Integration | null> {
    return this.em.findOne(Integration, { conversation: open.conversation.id });
  }

  /** Makes a new token (replacing any old one, which stops working at once) and returns it: it is shown only now. */
  async generate(me: User, open: OpenConversation, origins: string[], name: string, scopes: Scope[]): Promise<string> {
    this.assertManages(me, open);
    const token = `gwar_${newToken(32)}`;
    await this.em.transactional(async (em) => {
      // Two generations at once (two tabs, a double click) would each delete the old row and each insert a new
      // one, and the second insert break the one-token-per-group index: the group's row makes them take turns.
      await em.findOneOrFail(Conversation, open.conversation.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      await em.nativeDelete(GroupApiToken, { conversation: open.conversation.id });
      const integration = (await em.findOne(Integration, { conversation: open.conversation.id })) ?? new Integration(open.conversation, name);
      integration.name = name;
      em.persist(integration);
      const row = new GroupApiToken(integration, sha256(token), token.slice(0, 12));
      row.allowedOrigins = origins.join('\n');
      row.scopes = scopes.join(' ');
      row.createdBy = me;
      em.persist(row);
    });
    return token;
  }

  async updateOrigins(me: User, open: OpenConversation, origins: string[], scopes: Scope[]): Promise<void> {
    this.assertManages(me, open);
    await this.em.nativeUpdate(GroupApiToken, { conversation: open.conversation.id }, { allowedOrigins: origins.join('\n'), scopes: scopes.join(' ') });
  }

  async revoke(me: User, open: OpenConversation): Promise<void> {
    this.assertManages(me, open);
    await this.em.nativeDelete(GroupApiToken, { conversation: open.conversation.id });
  }

  /** Whether any integration lets pages of this origin call the API (a preflight carries no token to ask). */
  async originAllowed(origin: string): Promise<boolean> {
    const rows = await this.em
      .getConnection()
      .execute(
        `select 1 from group_api_token /* all companies: a preflight names no token */ where ? = any(string_to_array(allowed_origins, E'\\n')) limit 1`,
        [origin],
      );
    return rows.length > 0;
  }

  /** The token row for a bearer token, looked up before any company is known; null for anything unknown. */
  async authenticate(raw: string): Promise<GroupApiToken | null> {
    if (!TOKEN_PATTERN.test(raw)) return null;
    return this.em.findOne(GroupApiToken, { tokenHash: sha256(raw) }, { filters: false, populate: ['company', 'conversation', 'integration'] });
  }
}
