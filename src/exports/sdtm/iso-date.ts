// ISO 8601 dates for --DTC (SDTMIG 4.4.2) and study days (--DY, SDTMIG 4.4.4: no day 0).

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(:(\d{2}))?)?$/;

/** A complete ISO 8601 date (optionally with time to minutes or seconds) that is a real calendar date. */
export function isIsoDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return false;
  if (m[4] !== undefined) {
    if (Number(m[5]) > 23 || Number(m[6]) > 59) return false;
    if (m[8] !== undefined && Number(m[8]) > 59) return false;
  }
  return true;
}

function dayNumber(text: string): number {
  const m = DATE_RE.exec(text);
  if (!m) throw new RangeError(`not an ISO 8601 date: ${text}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
}

/** Study day of `dtc` relative to RFSTDTC: day 1 is RFSTDTC, the day before is -1. */
export function studyDay(dtc: string, rfstdtc: string): number {
  const days = dayNumber(dtc) - dayNumber(rfstdtc);
  return days >= 0 ? days + 1 : days;
}

const CUTOFF_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** The cut-off as a Date: an ISO 8601 date (UTC midnight) or datetime (UTC unless it has an offset). */
export function cutoffInstant(cutoff: string): Date {
  const m = CUTOFF_RE.exec(cutoff);
  if (!m || !isIsoDate(cutoff.slice(0, 10))) throw new RangeError(`cut-off is not ISO 8601: ${cutoff}`);
  if (m[4] === undefined) return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const at = new Date(m[7] === undefined ? `${cutoff}Z` : cutoff);
  if (Number.isNaN(at.getTime())) throw new RangeError(`cut-off is not ISO 8601: ${cutoff}`);
  return at;
}
