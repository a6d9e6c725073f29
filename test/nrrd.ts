// A small NRRD reader for tests (teem NRRD0001-0005 attached headers: raw or gzip encoding, little or big endian,
// integer and float sample types, space directions / space origin). Hand-written because no maintained NRRD reader
// is installed in this project; it covers what the pyradiomics corpus files use and refuses anything else loudly.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type NrrdSampleType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

export interface Nrrd {
  readonly sizes: number[];
  readonly type: NrrdSampleType;
  /** One vector per axis (null for non-spatial axes), in the file's `space` (e.g. left-posterior-superior). */
  readonly spaceDirections: (number[] | null)[];
  readonly spaceOrigin: number[] | null;
  readonly space: string | null;
  /** Samples in file order (fastest axis first), converted to float64. */
  readonly data: Float64Array;
  readonly fields: Record<string, string>;
}

const TYPE_ALIASES: Record<string, NrrdSampleType> = {
  'signed char': 'int8', int8: 'int8', int8_t: 'int8',
  uchar: 'uint8', 'unsigned char': 'uint8', uint8: 'uint8', uint8_t: 'uint8',
  short: 'int16', 'short int': 'int16', 'signed short': 'int16', 'signed short int': 'int16', int16: 'int16', int16_t: 'int16',
  ushort: 'uint16', 'unsigned short': 'uint16', 'unsigned short int': 'uint16', uint16: 'uint16', uint16_t: 'uint16',
  int: 'int32', 'signed int': 'int32', int32: 'int32', int32_t: 'int32',
  uint: 'uint32', 'unsigned int': 'uint32', uint32: 'uint32', uint32_t: 'uint32',
  float: 'float32', double: 'float64',
};

const BYTES: Record<NrrdSampleType, number> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8,
};

function parseVector(text: string): number[] | null {
  const t = text.trim();
  if (t === 'none') return null;
  const m = /^\((.*)\)$/.exec(t);
  if (!m) throw new Error(`NRRD: bad vector ${text}`);
  return m[1].split(',').map((s) => Number(s.trim()));
}

export function parseNrrd(bytes: Buffer): Nrrd {
  const magic = bytes.subarray(0, 8).toString('latin1');
  if (!/^NRRD000[1-5]$/.test(magic)) throw new Error(`NRRD: bad magic ${JSON.stringify(magic)}`);
  // The header ends at the first empty line; the data follows it directly (attached header).
  let pos = 0;
  const fields: Record<string, string> = {};
  let firstLine = true;
  for (;;) {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) throw new Error('NRRD: header does not end');
    const line = bytes.subarray(pos, nl).toString('latin1').replace(/\r$/, '');
    pos = nl + 1;
    if (firstLine) { firstLine = false; continue; }
    if (line === '') break;
    if (line.startsWith('#')) continue;
    const kv = /^([^:]+):=(.*)$/.exec(line); // key/value pairs, kept apart from fields
    if (kv) continue;
    const f = /^([^:]+): (.*)$/.exec(line);
    if (!f) throw new Error(`NRRD: bad header line ${JSON.stringify(line)}`);
    fields[f[1].trim().toLowerCase()] = f[2].trim();
  }
  if (fields['data file'] || fields.datafile) throw new Error('NRRD: detached data files are not supported');
  const type = TYPE_ALIASES[fields.type ?? ''];
  if (!type) throw new Error(`NRRD: unsupported type ${fields.type}`);
  const dimension = Number(fields.dimension);
  const sizes = (fields.sizes ?? '').split(/\s+/).map(Number);
  if (sizes.length !== dimension || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`NRRD: sizes ${fields.sizes} do not match dimension ${dimension}`);
  }
  const encoding = fields.encoding;
  let payload: Buffer;
  switch (encoding) {
    case 'raw':
      payload = bytes.subarray(pos);
      break;
    case 'gzip':
    case 'gz':
      payload = gunzipSync(bytes.subarray(pos));
      break;
    default:
      throw new Error(`NRRD: unsupported encoding ${encoding}`);
  }
  const n = sizes.reduce((a, b) => a * b, 1);
  const width = BYTES[type];
  if (payload.length < n * width) throw new Error(`NRRD: ${payload.length} data bytes, need ${n * width}`);
  const endian = fields.endian ?? 'little';
  if (width > 1 && endian !== 'little' && endian !== 'big') throw new Error(`NRRD: bad endian ${endian}`);
  const little = endian !== 'big';
  const view = new DataView(payload.buffer, payload.byteOffset, n * width);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * width;
    switch (type) {
      case 'int8': data[i] = view.getInt8(o); break;
      case 'uint8': data[i] = view.getUint8(o); break;
      case 'int16': data[i] = view.getInt16(o, little); break;
      case 'uint16': data[i] = view.getUint16(o, little); break;
      case 'int32': data[i] = view.getInt32(o, little); break;
      case 'uint32': data[i] = view.getUint32(o, little); break;
      case 'float32': data[i] = view.getFloat32(o, little); break;
      case 'float64': data[i] = view.getFloat64(o, little); break;
    }
  }
  const dirsText = fields['space directions'];
  const spaceDirections = dirsText
    ? (dirsText.match(/\([^)]*\)|none/g) ?? []).map(parseVector)
    : sizes.map(() => null);
  if (spaceDirections.length !== dimension) throw new Error('NRRD: space directions do not match dimension');
  const spaceOrigin = fields['space origin'] ? parseVector(fields['space origin']) : null;
  return { sizes, type, spaceDirections, spaceOrigin, space: fields.space ?? null, data, fields };
}

export function readNrrd(file: string): Nrrd {
  return parseNrrd(readFileSync(file));
}
