import { EntityManager, Filter } from '@mikro-orm/core';

export const COMPANY_FILTER = 'company';

/**
 * The one place that keeps each company to its own rows: every entity marked with it is filtered by the
 * signed-in user's company in every query, and a query made without a company set fails instead of
 * reading across companies. Code that must look across (sign-in by e-mail, the operator's screens)
 * says so with `filters: false`.
 */
export const CompanyScoped = () => Filter({ name: COMPANY_FILTER, default: true, cond: (args: { companyId: number }) => ({ company: args.companyId }) });

/** The company an entity manager's queries are scoped to, for SQL written by hand; none set fails, as the filter does. */
export function scopedCompanyId(em: EntityManager): number {
  const companyId = (em.getFilterParams(COMPANY_FILTER) as { companyId?: number } | undefined)?.companyId;
  if (typeof companyId !== 'number') throw new Error('No company set for this query');
  return companyId;
}
