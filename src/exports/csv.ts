// CSV copy of a dataset for people (primer section 8): RFC 4180 (CRLF, quotes doubled), header = variable names,
// same rows, columns, order and values as the XPT; missing values are empty cells; numbers at full precision.
// No blanket CSV-injection escaping: `-21.3` is data, and the character values are controlled terminology.
import type { SdtmDataset, SdtmValue } from './sdtm/dataset.js';

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: SdtmValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  return NEEDS_QUOTES.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Yields the file in lines (each ending in CRLF), for streaming large datasets. */
export function* csvLines(ds: SdtmDataset): Generator<string> {
  const names = ds.variables.map((v) => v.name);
  yield `${names.join(',')}\r\n`;
  for (const row of ds.rows) yield `${names.map((n) => csvField(row[n] ?? null)).join(',')}\r\n`;
}

export function toCsv(ds: SdtmDataset): string {
  return [...csvLines(ds)].join('');
}
