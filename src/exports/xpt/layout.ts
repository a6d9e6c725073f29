// SAS XPORT v5 layout constants (SAS TS-140; primer section 6.1-6.2). Shared by the writer, the reader and the
// conformance check so that all three agree on one definition of the format.

export const CARD = 80;
export const NAMESTR_LENGTH = 140;
export const MAX_CHAR_LENGTH = 200;
export const MAX_NAME_LENGTH = 8;
export const MAX_LABEL_LENGTH = 40;

const ZEROS_30 = '000000000000000000000000000000';
const PREFIX = 'HEADER RECORD*******';
const SUFFIX = 'HEADER RECORD!!!!!!!';

export const LIBRARY_HEADER = `${PREFIX}LIBRARY ${SUFFIX}${ZEROS_30}  `;
export const MEMBER_HEADER = `${PREFIX}MEMBER  ${SUFFIX}000000000000000001600000000${NAMESTR_LENGTH}  `;
export const DESCRIPTOR_HEADER = `${PREFIX}DSCRPTR ${SUFFIX}${ZEROS_30}  `;
export const OBS_HEADER = `${PREFIX}OBS     ${SUFFIX}${ZEROS_30}  `;
export function namestrHeader(variableCount: number): string {
  return `${PREFIX}NAMESTR ${SUFFIX}000000${String(variableCount).padStart(4, '0')}00000000000000000000  `;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

/** `ddMMMyy:hh:mm:ss` in UTC, e.g. `03JUN24:09:30:00` (16 bytes). */
export function formatXptDatetime(at: Date): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `${p2(at.getUTCDate())}${MONTHS[at.getUTCMonth()]}${p2(at.getUTCFullYear() % 100)}:` +
    `${p2(at.getUTCHours())}:${p2(at.getUTCMinutes())}:${p2(at.getUTCSeconds())}`
  );
}

const DATETIME_RE = /^(\d{2})(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(\d{2}):(\d{2}):(\d{2}):(\d{2})$/;

/** True for a well-formed `ddMMMyy:hh:mm:ss` with a real day of month and time of day. */
export function isXptDatetime(text: string): boolean {
  const m = DATETIME_RE.exec(text);
  if (!m) return false;
  const [day, hh, mm, ss] = [Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])];
  const month = MONTHS.indexOf(m[2] as (typeof MONTHS)[number]);
  const daysInMonth = new Date(Date.UTC(2000 + Number(m[3]), month + 1, 0)).getUTCDate();
  return day >= 1 && day <= daysInMonth && hh < 24 && mm < 60 && ss < 60;
}

/** SAS name rule for XPORT v5: 1-8 chars, A-Z 0-9 _, starting with a letter or underscore; we require upper case. */
export const XPT_NAME_RE = /^[A-Z_][A-Z0-9_]{0,7}$/;

/** Printable ASCII (0x20-0x7E), the only bytes allowed in names, labels and character values. */
export function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
