/**
 * One CSV cell: quoted, its quotes doubled; a text a spreadsheet would take for a formula (starting with = + - @,
 * a tab or a carriage return) gets a ' in front, as OWASP advises against CSV injection.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvRow(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
