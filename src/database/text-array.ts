/**
 * A list of strings as one PostgreSQL text[] parameter (`= any(?::text[])`): knex spreads a JavaScript array into
 * a list of parameters, which `any` cannot take.
 */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
