// SAS XPORT v5 writer, one dataset per file (FDA TCG), byte layout per SAS TS-140 / primer section 6.
// Validates instead of truncating: a value that does not fit is an error, never silent data loss (primer 6.3).
import { type XptMissing, isXptMissing, writeIbmFloat, writeIbmMissing } from './ibm-float.js';
import {
  CARD,
  DESCRIPTOR_HEADER,
  LIBRARY_HEADER,
  MAX_CHAR_LENGTH,
  MAX_LABEL_LENGTH,
  MEMBER_HEADER,
  NAMESTR_LENGTH,
  OBS_HEADER,
  XPT_NAME_RE,
  formatXptDatetime,
  isPrintableAscii,
  namestrHeader,
} from './layout.js';

export const XPT_VARIABLE_TYPES = ['char', 'num'] as const;
export type XptVariableType = (typeof XPT_VARIABLE_TYPES)[number];

export interface XptVariable {
  readonly name: string;
  readonly label: string;
  readonly type: XptVariableType;
  /** Bytes in the observation: char 1..200, num always 8 here (shorter numerics lose precision). */
  readonly length: number;
}

/** A cell: string for char, number for num; null is blanks (char) or `.` (num); XptMissing for `.A`-`.Z`/`._`. */
export type XptValue = string | number | null | XptMissing;

export interface XptDataset {
  /** Member name, upper case, <= 8 chars; equals the file stem (`TU` in `tu.xpt`). */
  readonly name: string;
  readonly label: string;
  readonly variables: readonly XptVariable[];
  readonly rows: Iterable<readonly XptValue[]>;
}

export interface XptWriteOptions {
  /** Written as created and modified datetime. Pass the data cut-off so the same cut gives the same bytes. */
  readonly createdAt: Date;
  readonly sasVersion?: string;
  readonly osName?: string;
  /** Observations per yielded chunk. */
  readonly chunkRows?: number;
}

export class XptWriteError extends Error {
  override readonly name = 'XptWriteError';
  constructor(
    message: string,
    readonly where: { readonly variable?: string; readonly row?: number } = {},
  ) {
    super(message);
  }
}

function ascii(text: string, width: number, what: string): string {
  if (!isPrintableAscii(text)) throw new XptWriteError(`${what} is not printable ASCII: ${JSON.stringify(text)}`);
  if (text.length > width) throw new XptWriteError(`${what} longer than ${width}: ${JSON.stringify(text)}`);
  return text.padEnd(width, ' ');
}

function card(text: string): Uint8Array {
  if (text.length !== CARD) throw new Error(`internal: header card of ${text.length} bytes`);
  return Buffer.from(text, 'latin1');
}

export function validateXptVariables(name: string, label: string, variables: readonly XptVariable[]): void {
  if (!XPT_NAME_RE.test(name)) throw new XptWriteError(`dataset name ${JSON.stringify(name)} is not a SAS v5 name`);
  ascii(label, MAX_LABEL_LENGTH, `dataset label of ${name}`);
  if (variables.length === 0 || variables.length > 9999) throw new XptWriteError(`${name}: 1..9999 variables`);
  const seen = new Set<string>();
  for (const v of variables) {
    if (!XPT_NAME_RE.test(v.name)) throw new XptWriteError(`variable name ${JSON.stringify(v.name)} is not a SAS v5 name`, { variable: v.name });
    if (seen.has(v.name)) throw new XptWriteError(`duplicate variable ${v.name}`, { variable: v.name });
    seen.add(v.name);
    ascii(v.label, MAX_LABEL_LENGTH, `label of ${v.name}`);
    if (v.type === 'num' && v.length !== 8) throw new XptWriteError(`${v.name}: numeric length must be 8`, { variable: v.name });
    if (v.type === 'char' && !(Number.isInteger(v.length) && v.length >= 1 && v.length <= MAX_CHAR_LENGTH)) {
      throw new XptWriteError(`${v.name}: character length must be 1..${MAX_CHAR_LENGTH}`, { variable: v.name });
    }
  }
}

function headerBytes(ds: XptDataset, opts: XptWriteOptions): Uint8Array {
  const when = formatXptDatetime(opts.createdAt);
  const version = ascii(opts.sasVersion ?? '9.4', 8, 'SAS version');
  const os = ascii(opts.osName ?? 'CORELAB', 8, 'OS name');
  const parts: Uint8Array[] = [
    card(LIBRARY_HEADER),
    card(`SAS     SAS     SASLIB  ${version}${os}${' '.repeat(24)}${when}`),
    card(`${when}${' '.repeat(64)}`),
    card(MEMBER_HEADER),
    card(DESCRIPTOR_HEADER),
    card(`SAS     ${ds.name.padEnd(8, ' ')}SASDATA ${version}${os}${' '.repeat(24)}${when}`),
    card(`${when}${' '.repeat(16)}${ascii(ds.label, 40, 'dataset label')}${' '.repeat(8)}`),
    card(namestrHeader(ds.variables.length)),
  ];
  const namestrBlock = Buffer.alloc(Math.ceil((NAMESTR_LENGTH * ds.variables.length) / CARD) * CARD, 0x20);
  let position = 0;
  ds.variables.forEach((v, i) => {
    const at = i * NAMESTR_LENGTH;
    const ns = Buffer.alloc(NAMESTR_LENGTH, 0);
    ns.writeInt16BE(v.type === 'num' ? 1 : 2, 0); // ntype
    ns.writeInt16BE(0, 2); // nhfun
    ns.writeInt16BE(v.length, 4); // nlng
    ns.writeInt16BE(i + 1, 6); // nvar0
    ns.write(v.name.padEnd(8, ' '), 8, 'latin1'); // nname
    ns.write(v.label.padEnd(40, ' '), 16, 'latin1'); // nlabel
    ns.write(' '.repeat(8), 56, 'latin1'); // nform
    // nfl, nfd, nfj (64..69) and nfill (70..71) stay zero
    ns.write(' '.repeat(8), 72, 'latin1'); // niform
    // nifl, nifd (80..83) zero
    ns.writeInt32BE(position, 84); // npos
    // rest (88..139) zero
    ns.copy(namestrBlock, at);
    position += v.length;
  });
  parts.push(namestrBlock, card(OBS_HEADER));
  return Buffer.concat(parts);
}

/** Observation length in bytes: the sum of variable lengths. */
export function recordLength(variables: readonly XptVariable[]): number {
  return variables.reduce((n, v) => n + v.length, 0);
}

/**
 * Yields the file's bytes in chunks (headers first, then observations, then blank padding to a card), so
 * large datasets stream to disk without being held whole in memory.
 */
export function* xptChunks(ds: XptDataset, opts: XptWriteOptions): Generator<Uint8Array> {
  validateXptVariables(ds.name, ds.label, ds.variables);
  yield headerBytes(ds, opts);
  const recLen = recordLength(ds.variables);
  const chunkRows = Math.max(1, opts.chunkRows ?? 1024);
  let buf = Buffer.alloc(recLen * chunkRows, 0x20);
  let inBuf = 0;
  let total = 0;
  let rowIndex = 0;
  for (const row of ds.rows) {
    if (row.length !== ds.variables.length) {
      throw new XptWriteError(`${ds.name} row ${rowIndex + 1}: ${row.length} values for ${ds.variables.length} variables`, { row: rowIndex + 1 });
    }
    let at = inBuf * recLen;
    for (let j = 0; j < ds.variables.length; j++) {
      const v = ds.variables[j];
      const value = row[j];
      if (v.type === 'char') {
        if (value === null) {
          buf.fill(0x20, at, at + v.length);
        } else if (typeof value === 'string') {
          if (value.length > v.length) {
            throw new XptWriteError(`${ds.name}.${v.name} row ${rowIndex + 1}: ${value.length} chars exceed length ${v.length}`, { variable: v.name, row: rowIndex + 1 });
          }
          for (let c = 0; c < value.length; c++) {
            const code = value.charCodeAt(c);
            if (code < 0x20 || code > 0x7e) {
              throw new XptWriteError(`${ds.name}.${v.name} row ${rowIndex + 1}: non-printable or non-ASCII character`, { variable: v.name, row: rowIndex + 1 });
            }
            buf[at + c] = code;
          }
          buf.fill(0x20, at + value.length, at + v.length);
        } else {
          throw new XptWriteError(`${ds.name}.${v.name} row ${rowIndex + 1}: character variable given a ${typeof value}`, { variable: v.name, row: rowIndex + 1 });
        }
      } else if (value === null) {
        writeIbmMissing(buf, at, '.');
      } else if (typeof value === 'number') {
        try {
          writeIbmFloat(buf, at, value);
        } catch (e) {
          throw new XptWriteError(`${ds.name}.${v.name} row ${rowIndex + 1}: ${(e as Error).message}`, { variable: v.name, row: rowIndex + 1 });
        }
      } else if (isXptMissing(value)) {
        writeIbmMissing(buf, at, value.missing);
      } else {
        throw new XptWriteError(`${ds.name}.${v.name} row ${rowIndex + 1}: numeric variable given a string`, { variable: v.name, row: rowIndex + 1 });
      }
      at += v.length;
    }
    inBuf++;
    rowIndex++;
    if (inBuf === chunkRows) {
      yield buf;
      total += buf.length;
      buf = Buffer.alloc(recLen * chunkRows, 0x20);
      inBuf = 0;
    }
  }
  if (inBuf > 0) {
    const tail = buf.subarray(0, inBuf * recLen);
    total += tail.length;
    yield tail;
  }
  const pad = (CARD - (total % CARD)) % CARD;
  if (pad > 0) yield Buffer.alloc(pad, 0x20);
}

/** The whole file in memory (small datasets, tests). */
export function encodeXpt(ds: XptDataset, opts: XptWriteOptions): Buffer {
  return Buffer.concat([...xptChunks(ds, opts)]);
}
