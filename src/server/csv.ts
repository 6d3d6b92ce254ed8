/**
 * CSV (RFC 4180) for the JSON/CSV exports: a header row, CRLF line ends, and every field that holds
 * a comma, quote or line break quoted with its quotes doubled. A field that a spreadsheet would run
 * as a formula (=, +, -, @ first) gets a leading apostrophe (OWASP "CSV injection").
 *
 * @module
 */
const FORMULA = /^[=+\-@\t\r]/;

function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v === 'string' && FORMULA.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return [columns.map(field).join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))].join('\r\n') + '\r\n';
}
