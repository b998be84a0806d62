import { z } from 'zod';
import { optional } from '../web/form';

export const LIST_STATES = ['open', 'waiting', 'missed', 'closed'] as const;
export type ListState = (typeof LIST_STATES)[number];

export interface ConversationFilters {
  state?: ListState;
  consultant?: number;
  from?: string;
  to?: string;
  rating?: '1' | '2' | '3' | '4' | '5' | 'none';
}

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v));
const id = z
  .string()
  .regex(/^[1-9]\d{0,9}$/)
  .transform(Number)
  .refine((n) => n <= 2_147_483_647);

/** The list's filters from a query string: a value that does not fit is no filter (the form shows it unset). */
export function readFilters(query: Record<string, unknown>): ConversationFilters {
  return {
    state: optional(z.enum(LIST_STATES), query.state),
    consultant: optional(id, query.consultant),
    from: optional(day, query.from),
    to: optional(day, query.to),
    rating: optional(z.enum(['1', '2', '3', '4', '5', 'none']), query.rating),
  };
}

export function readCursor(value: unknown): number | undefined {
  return optional(id, value);
}

/** The filters as a query string (for the next page's link and the export), without the empty ones. */
export function filterQuery(filters: ConversationFilters): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== undefined && value !== '') params.set(name, String(value));
  return params.toString();
}

/** A local calendar day's start (the server's clock, as the dates on the page are shown), and the next day's. */
export function dayStart(value: string, plusDays = 0): Date {
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y, m - 1, d + plusDays);
}
