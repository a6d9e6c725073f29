// Keyed, deterministic replacements (DEID-02, DEID-03): the same trial key and source value always give the same
// output, so re-uploads and later visits link up, and nobody without the key can reverse or recompute them.
import { createHash, createHmac } from 'node:crypto';

export type TrialKey = string | Uint8Array;

/** PS3.5 B.2: a UUID-derived UID under 2.25 from the first 128 bits of HMAC-SHA256(trialKey, uid); at most 44 chars. */
export function pseudonymousUid(trialKey: TrialKey, uid: string): string {
  const mac = createHmac('sha256', trialKey).update(uid, 'latin1').digest();
  return `2.25.${BigInt(`0x${mac.subarray(0, 16).toString('hex')}`).toString(10)}`;
}

/** One secret whole-day offset per subject, uniform within [min, max] days (both inclusive). */
export function dateShiftDays(trialKey: TrialKey, subjectId: string, range: { min: number; max: number }): number {
  const lo = Math.min(range.min, range.max);
  const hi = Math.max(range.min, range.max);
  const mac = createHmac('sha256', trialKey).update(`date-shift\u0000${subjectId}`, 'utf8').digest();
  const n = mac.readUInt32BE(0) * 2 ** 16 + mac.readUInt16BE(4); // 48 random bits, exact in a double
  return lo + (n % (hi - lo + 1));
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const DAY_MS = 86_400_000;

function shiftYmd(ymd: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(ymd);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const check = new Date(t);
  if (check.getUTCMonth() !== Number(m[2]) - 1 || check.getUTCDate() !== Number(m[3])) return undefined;
  const d = new Date(t + days * DAY_MS);
  const y = d.getUTCFullYear();
  if (y < 1 || y > 9999) return undefined;
  return `${String(y).padStart(4, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Shifts a DA value (YYYYMMDD, or the ACR-NEMA YYYY.MM.DD form); undefined when it is not a valid date. */
export function shiftDa(value: string, days: number): string | undefined {
  const v = value.trim().replace(/^(\d{4})\.(\d{2})\.(\d{2})$/, '$1$2$3');
  return shiftYmd(v, days);
}

/** Shifts the date part of a DT value, keeping time of day and UTC offset; undefined without a full date. */
export function shiftDt(value: string, days: number): string | undefined {
  const v = value.trim();
  const m = /^(\d{8})(.*)$/.exec(v);
  if (!m) return undefined;
  const date = shiftYmd(m[1], days);
  return date === undefined ? undefined : `${date}${m[2]}`;
}
