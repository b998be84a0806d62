import { Injectable } from '@nestjs/common';

/** A link in a message to an object of this system, e.g. /crm/tasks/5. */
export interface ObjectRef {
  kind: string;
  id: number;
}

/** What a resolved link shows: the object's kind, name and status, e.g. a task "Telefon — in progress". */
export interface LinkedObject {
  kind: string;
  id: number;
  name: string;
  /** The status's translation key, when the kind has a status. */
  statusKey?: string;
  href: string;
}

const OBJECT_URL = /^https?:\/\/[^/\s]+\/crm\/(companies|tasks|notes|opportunities)\/(\d{1,9})\/?$/i;

export function objectRefOf(url: string): ObjectRef | null {
  const match = OBJECT_URL.exec(url);
  return match ? { kind: match[1].toLowerCase(), id: Number(match[2]) } : null;
}

export const refKey = (ref: ObjectRef) => `${ref.kind}:${ref.id}`;

export function objectRefsIn(body: string): ObjectRef[] {
  const refs = new Map<string, ObjectRef>();
  for (const match of body.matchAll(/\bhttps?:\/\/[^\s<>"']+/gi)) {
    const ref = objectRefOf(match[0].replace(/[).,;:!?\]]+$/, ''));
    if (ref) refs.set(refKey(ref), ref);
  }
  return [...refs.values()];
}

export interface ObjectResolver {
  /** The objects among these that the current company has (the company filter applies); others are left out. */
  resolve(refs: ObjectRef[]): Promise<Map<string, LinkedObject>>;
}

/**
 * The chat knows links only by their shape; whoever owns the objects (the CRM) registers here, so the chat
 * does not depend on it.
 */
@Injectable()
export class ObjectLinks {
  private resolver?: ObjectResolver;

  register(resolver: ObjectResolver): void {
    this.resolver = resolver;
  }

  async forBodies(bodies: string[]): Promise<Map<string, LinkedObject>> {
    const refs = new Map<string, ObjectRef>();
    for (const body of bodies) for (const ref of objectRefsIn(body)) refs.set(refKey(ref), ref);
    if (!this.resolver || refs.size === 0) return new Map();
    return this.resolver.resolve([...refs.values()]);
  }
}
