import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { LinkedObject, ObjectLinks, ObjectRef, ObjectResolver, refKey } from '../chat/object-links';
import { kindOf } from './crm-kinds';
import type { CrmRecord } from './crm-record';

export function linkedObject(slug: string, record: CrmRecord): LinkedObject {
  const kind = kindOf(slug)!;
  const status = kind.statusField ? String((record as unknown as Record<string, unknown>)[kind.statusField]) : undefined;
  return {
    kind: slug,
    id: record.id,
    name: record.name,
    statusKey: status ? `crm.${kind.statusField}.${status}` : undefined,
    href: `/crm/${slug}/${record.id}`,
  };
}

/** Tells the chat what a link to a CRM object shows; objects of other companies stay unknown (the filter). */
@Injectable()
export class CrmLinksResolver implements ObjectResolver, OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly links: ObjectLinks,
  ) {}

  onModuleInit(): void {
    this.links.register(this);
  }

  async resolve(refs: ObjectRef[]): Promise<Map<string, LinkedObject>> {
    const found = new Map<string, LinkedObject>();
    const bySlug = new Map<string, number[]>();
    for (const ref of refs) bySlug.set(ref.kind, [...(bySlug.get(ref.kind) ?? []), ref.id]);
    for (const [slug, ids] of bySlug) {
      const kind = kindOf(slug);
      if (!kind) continue;
      for (const record of await this.em.find(kind.entity, { id: { $in: ids } })) {
        found.set(refKey({ kind: slug, id: record.id }), linkedObject(slug, record));
      }
    }
    return found;
  }
}
