// Calendar dates as ISO YYYY-MM-DD (primer 11: day differences are computed on dates, not timestamps, so DST
// never shifts them and leap days count). No clock is read here.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a valid ISO calendar date, or undefined when the text is not one. */
export function toDayNumber(iso: string): number | undefined {
  const m = ISO_DATE.exec(iso);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2023-02-30 over to March: reject anything that does not round-trip.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms / 86_400_000;
}

export function isIsoDate(value: string): boolean {
  return toDayNumber(value) !== undefined;
}

/** Whole calendar days from `from` to `to` (both valid ISO dates). */
export function daysBetween(from: string, to: string): number {
  const a = toDayNumber(from);
  const b = toDayNumber(to);
  if (a === undefined || b === undefined) throw new RangeError(`not an ISO date: ${a === undefined ? from : to}`);
  return b - a;
}
