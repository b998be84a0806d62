/**
 * One CSV field: quoted, and a value a spreadsheet would run as a formula (=, +, -, @, tab, carriage return at
 * its start) led by an apostrophe (OWASP's CSV injection advice), so "+48600100200" reads as text too.
 */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvLine(values: unknown[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
