// SAS XPORT v5 reader for our round-trip tests and the conformance check (primer section 9, items 2-6).
// It parses one member and reports every deviation from the layout we write as an issue instead of guessing.
import { type XptMissing, isWellFormedIbm, readIbmFloat } from './ibm-float.js';
import {
  CARD,
  DESCRIPTOR_HEADER,
  LIBRARY_HEADER,
  MEMBER_HEADER,
  NAMESTR_LENGTH,
  OBS_HEADER,
  XPT_NAME_RE,
  isPrintableAscii,
  isXptDatetime,
  namestrHeader,
} from './layout.js';
import type { XptVariableType } from './xpt-writer.js';

export interface XptReadVariable {
  readonly name: string;
  readonly label: string;
  readonly type: XptVariableType;
  readonly length: number;
  readonly varnum: number;
  readonly position: number;
}

/** A problem found while reading, tagged with the primer section 9 item it breaks. */
export interface XptIssue {
  readonly item: 2 | 3 | 4 | 5 | 6;
  readonly message: string;
}

export type XptReadValue = string | number | null | XptMissing;

export interface XptFile {
  readonly sasVersion: string;
  readonly osName: string;
  readonly createdAt: string;
  readonly modifiedAt: string;
  readonly name: string;
  readonly label: string;
  readonly variables: readonly XptReadVariable[];
  /** Character values have trailing blanks removed, all-blank is null; standard missing `.` is null. */
  readonly rows: readonly (readonly XptReadValue[])[];
  readonly issues: readonly XptIssue[];
}

export class XptReadError extends Error {
  override readonly name = 'XptReadError';
}

const text = (b: Uint8Array, from: number, len: number) => Buffer.from(b.buffer, b.byteOffset + from, len).toString('latin1');

export function readXpt(bytes: Uint8Array): XptFile {
  const issues: XptIssue[] = [];
  const issue = (item: XptIssue['item'], message: string) => issues.push({ item, message });
  if (bytes.length % CARD !== 0) issue(2, `file size ${bytes.length} is not a multiple of 80`);
  if (bytes.length < CARD * 9) throw new XptReadError('file too short for XPORT headers');
  const cardAt = (i: number) => text(bytes, i * CARD, CARD);
  if (cardAt(0) !== LIBRARY_HEADER) issue(2, 'library header record differs');
  const lib2 = cardAt(1);
  if (!lib2.startsWith('SAS     SAS     SASLIB  ')) issue(2, 'second library record does not start with SAS/SAS/SASLIB');
  const sasVersion = lib2.slice(24, 32).trimEnd();
  const osName = lib2.slice(32, 40).trimEnd();
  if (lib2.slice(40, 64) !== ' '.repeat(24)) issue(2, 'library record: bytes 40-63 not blank');
  const createdAt = lib2.slice(64, 80);
  if (!isXptDatetime(createdAt)) issue(2, `library created datetime malformed: ${JSON.stringify(createdAt)}`);
  const lib3 = cardAt(2);
  const modifiedAt = lib3.slice(0, 16);
  if (!isXptDatetime(modifiedAt)) issue(2, `library modified datetime malformed: ${JSON.stringify(modifiedAt)}`);
  if (lib3.slice(16) !== ' '.repeat(64)) issue(2, 'third library record: bytes 16-79 not blank');
  if (cardAt(3) !== MEMBER_HEADER) issue(2, 'member header record differs (NAMESTR size must be 140)');
  if (cardAt(4) !== DESCRIPTOR_HEADER) issue(2, 'descriptor header record differs');
  const d1 = cardAt(5);
  if (!d1.startsWith('SAS     ')) issue(2, 'member descriptor does not start with SAS');
  const name = d1.slice(8, 16).trimEnd();
  if (d1.slice(16, 24) !== 'SASDATA ') issue(2, 'member descriptor: SASDATA missing');
  if (!isXptDatetime(d1.slice(64, 80))) issue(2, 'member created datetime malformed');
  const d2 = cardAt(6);
  if (!isXptDatetime(d2.slice(0, 16))) issue(2, 'member modified datetime malformed');
  if (d2.slice(16, 32) !== ' '.repeat(16)) issue(2, 'member descriptor 2: bytes 16-31 not blank');
  const label = d2.slice(32, 72).trimEnd();
  if (!isPrintableAscii(d2.slice(32, 72))) issue(3, 'dataset label is not printable ASCII');
  const nsHeader = cardAt(7);
  const nvars = Number(nsHeader.slice(54, 58));
  if (!Number.isInteger(nvars) || nsHeader !== namestrHeader(nvars)) issue(2, 'NAMESTR header record differs');
  if (!Number.isInteger(nvars) || nvars < 1) throw new XptReadError('no variable count in the NAMESTR header');

  const nsStart = 8 * CARD;
  const nsBlockLen = Math.ceil((nvars * NAMESTR_LENGTH) / CARD) * CARD;
  if (bytes.length < nsStart + nsBlockLen + CARD) throw new XptReadError('file ends inside the NAMESTR records');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const variables: XptReadVariable[] = [];
  let running = 0;
  for (let i = 0; i < nvars; i++) {
    const at = nsStart + i * NAMESTR_LENGTH;
    const ntype = view.getInt16(at);
    const nhfun = view.getInt16(at + 2);
    const nlng = view.getInt16(at + 4);
    const nvar0 = view.getInt16(at + 6);
    const rawName = text(bytes, at + 8, 8);
    const rawLabel = text(bytes, at + 16, 40);
    const npos = view.getInt32(at + 84);
    const vname = rawName.trimEnd();
    if (ntype !== 1 && ntype !== 2) issue(3, `variable ${i + 1}: ntype ${ntype}`);
    if (nhfun !== 0) issue(3, `variable ${vname}: nhfun ${nhfun}`);
    if (nvar0 !== i + 1) issue(3, `variable ${vname}: nvar0 ${nvar0}, expected ${i + 1}`);
    if (npos !== running) issue(3, `variable ${vname}: npos ${npos}, expected ${running}`);
    if (!XPT_NAME_RE.test(vname) || rawName.slice(vname.length).trim() !== '') issue(3, `variable name ${JSON.stringify(rawName)} invalid or not blank padded`);
    if (!isPrintableAscii(rawLabel)) issue(3, `variable ${vname}: label not printable ASCII / not blank padded`);
    if (ntype === 1 && nlng !== 8) issue(6, `numeric variable ${vname} has length ${nlng}`);
    if (ntype === 2 && (nlng < 1 || nlng > 200)) issue(3, `character variable ${vname} has length ${nlng}`);
    if (text(bytes, at + 56, 8) !== ' '.repeat(8) && !isPrintableAscii(text(bytes, at + 56, 8))) issue(3, `variable ${vname}: nform not ASCII`);
    for (let k = 88; k < NAMESTR_LENGTH; k++) {
      if (bytes[at + k] !== 0) {
        issue(3, `variable ${vname}: NAMESTR rest bytes not zero`);
        break;
      }
    }
    variables.push({ name: vname, label: rawLabel.trimEnd(), type: ntype === 1 ? 'num' : 'char', length: nlng, varnum: nvar0, position: npos });
    running += nlng;
  }
  for (let k = nsStart + nvars * NAMESTR_LENGTH; k < nsStart + nsBlockLen; k++) {
    if (bytes[k] !== 0x20) {
      issue(3, 'NAMESTR block padding is not blanks');
      break;
    }
  }
  const obsHeaderAt = nsStart + nsBlockLen;
  if (text(bytes, obsHeaderAt, CARD) !== OBS_HEADER) issue(2, 'OBS header record differs');
  if (text(bytes, obsHeaderAt, CARD).startsWith('HEADER RECORD*******MEMBER')) throw new XptReadError('second member found; one dataset per file');

  const dataStart = obsHeaderAt + CARD;
  const recLen = running;
  const area = bytes.length - dataStart;
  let nobs = recLen > 0 ? Math.floor(area / recLen) : 0;
  // Trailing records that are all blanks and start in the last card are padding (only possible when recLen < 80).
  while (nobs > 0 && area - (nobs - 1) * recLen < CARD && isBlank(bytes, dataStart + (nobs - 1) * recLen, recLen)) nobs--;
  if (area - nobs * recLen >= CARD) issue(4, `observation area has ${area - nobs * recLen} trailing bytes (>= 80)`);
  if (!isBlank(bytes, dataStart + nobs * recLen, area - nobs * recLen)) issue(4, 'observation padding is not blanks');

  const rows: XptReadValue[][] = [];
  for (let r = 0; r < nobs; r++) {
    const base = dataStart + r * recLen;
    const row: XptReadValue[] = [];
    for (const v of variables) {
      const at = base + v.position;
      if (v.type === 'num') {
        if (!isWellFormedIbm(bytes, at, true)) issue(6, `${v.name} row ${r + 1}: not a normalised IBM float`);
        const decoded = readIbmFloat(bytes, at);
        row.push(typeof decoded === 'object' && decoded.missing === '.' ? null : decoded);
      } else {
        const raw = text(bytes, at, v.length);
        if (!isPrintableAscii(raw)) issue(5, `${v.name} row ${r + 1}: non-printable or non-ASCII bytes`);
        const value = raw.trimEnd();
        if (value.length > 0 && value.startsWith(' ')) issue(5, `${v.name} row ${r + 1}: leading blanks`);
        row.push(value.length === 0 ? null : value);
      }
    }
    rows.push(row);
  }
  return { sasVersion, osName, createdAt, modifiedAt, name, label, variables, rows, issues };
}

function isBlank(bytes: Uint8Array, from: number, len: number): boolean {
  for (let i = from; i < from + len; i++) if (bytes[i] !== 0x20) return false;
  return true;
}
