/** Plain-text tables for the terminal (and CI logs): a title, a header row and aligned columns. */
export interface Table {
  title: string;
  headers: string[];
  rows: string[][];
  notes?: string[];
}

const numeric = /^[-+]?[\d,.]+(\s?(ms|%|MB|KB|s|×|\/s))?$/;

export function renderTable(table: Table): string {
  const widths = table.headers.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.test(c) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join(' │ ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [`\n${table.title}`, line(table.headers), rule, ...table.rows.map(line), ...(table.notes ?? []).map((n) => `  ${n}`)].join('\n');
}

export function printTables(tables: Table[]): void {
  console.log(tables.map(renderTable).join('\n'));
}

export const ms = (n: number) => (Number.isNaN(n) ? '—' : Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en')} ms` : 'lost');
export const num = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';
export const pct = (n: number | null) => (n === null || !Number.isFinite(n) ? '—' : `${Math.round(n)}%`);
export const verdict = (pass: boolean | null) => (pass === null ? '—' : pass ? 'pass' : 'MISS');
