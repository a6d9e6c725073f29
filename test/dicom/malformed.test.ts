// SEC-05: hostile and broken inputs get a precise INVALID_DICOM reason from the pre-scan, before any library
// allocates. Files are built byte by byte here so each fault is exactly the one under test.
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { DEFAULT_PARSE_LIMITS, parseDicom } from '../../src/dicom/parse.js';
import { writeCtSlice } from './synthetic.js';

type Part = Uint8Array | number[];
const cat = (...parts: Part[]) => Buffer.concat(parts.map((p) => Buffer.from(p as Uint8Array)));
const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const tag = (g: number, e: number) => [...u16(g), ...u16(e)];
const ascii = (s: string) => [...Buffer.from(s.length % 2 ? `${s}\0` : s, 'latin1')];

/** explicit VR little endian element with a short (2-byte) length */
const short = (g: number, e: number, vr: string, value: number[]) => [...tag(g, e), ...ascii(vr), ...u16(value.length), ...value];
/** explicit VR little endian element with a 4-byte length (declared may lie) */
const long = (g: number, e: number, vr: string, value: number[], declared = value.length) => [...tag(g, e), ...ascii(vr), 0, 0, ...u32(declared), ...value];
const item = (content: number[], declared = content.length) => [...tag(0xfffe, 0xe000), ...u32(declared), ...content];
const UNDEF = 0xffffffff;

function part10(ts: string, body: Part): Buffer {
  const meta = cat(short(0x0002, 0x0001, 'OB', []).slice(0, 0), long(0x0002, 0x0001, 'OB', [0, 1]), short(0x0002, 0x0002, 'UI', ascii('1.2.840.10008.5.1.4.1.1.2')), short(0x0002, 0x0003, 'UI', ascii('1.2.3.4')), short(0x0002, 0x0010, 'UI', ascii(ts)));
  return cat(new Uint8Array(128), ascii('DICM'), short(0x0002, 0x0000, 'UL', u32(meta.length)), meta, body);
}
const EVRLE = '1.2.840.10008.1.2.1';
const ident = [...short(0x0008, 0x0016, 'UI', ascii('1.2.840.10008.5.1.4.1.1.2')), ...short(0x0008, 0x0018, 'UI', ascii('1.2.3.4'))];

function refusal(bytes: Uint8Array, limits = DEFAULT_PARSE_LIMITS): DomainError {
  try {
    parseDicom(bytes, limits);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('parse accepted the input');
}

// @req SEC-05
describe('parseDicom refuses bad input with a precise reason', () => {
  it('accepts the well-formed baseline these cases are built from', () => {
    expect(parseDicom(part10(EVRLE, ident)).summary.sopInstanceUid).toBe('1.2.3.4');
  });

  it.each([
    ['random bytes', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff)), /^not DICOM: no DICM marker/],
    ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(200).fill(1)]), /^not DICOM/],
    ['an empty file', Buffer.alloc(0), /^not DICOM: empty file/],
    ['a gzip stream', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), /^not DICOM: a gzip stream/],
  ])('not DICOM: %s', (_label, bytes, message) => {
    const e = refusal(bytes);
    expect(e.code).toBe('INVALID_DICOM');
    expect(e.detail).toMatch(message);
  });

  it('a truncated file: the last element runs past the end', () => {
    const whole = writeCtSlice({ sop: '1.2.3.9', position: [0, 0, 0], rows: 8, columns: 8 });
    const e = refusal(whole.subarray(0, whole.length - 10));
    expect(e.detail).toMatch(/^element \(7FE0,0010\) declares 128 bytes but 118 remain at offset \d+$/);
  });

  it('an element length of 0xFFFFFFFE past the end of the file', () => {
    const body = [...ident, ...long(0x7fe0, 0x0010, 'OW', [1, 2, 3, 4], 0xfffffffe)];
    const bytes = part10(EVRLE, body);
    const valueOffset = bytes.length - 4;
    expect(refusal(bytes).detail).toBe(`element (7FE0,0010) declares 4294967294 bytes but 4 remain at offset ${valueOffset}`);
  });

  it('0xFFFFFFFF (undefined length) on a VR that cannot have it', () => {
    const body = [...ident, ...long(0x0040, 0xa160, 'UT', [65, 66], UNDEF)];
    expect(refusal(part10(EVRLE, body)).detail).toMatch(/^element \(0040,A160\) at offset \d+ has undefined length but VR UT$/);
  });

  it('an item length past the end of its sequence', () => {
    const body = [...ident, ...long(0x0008, 0x1140, 'SQ', item([], 4000), 8)];
    expect(refusal(part10(EVRLE, body)).detail).toMatch(/^item in \(0008,1140\) declares 4000 bytes but 0 remain at offset \d+$/);
  });

  it('an undefined-length sequence without its delimiter', () => {
    const body = [...ident, ...long(0x0008, 0x1140, 'SQ', item([]), UNDEF)];
    expect(refusal(part10(EVRLE, body)).detail).toMatch(/^sequence \(0008,1140\) has no sequence delimiter before offset \d+$/);
  });

  it('a sequence nesting bomb (200 levels)', () => {
    let inner: number[] = [];
    for (let i = 0; i < 200; i++) inner = long(0x0040, 0xa730, 'SQ', item(inner));
    const e = refusal(part10(EVRLE, [...ident, ...inner]));
    expect(e.detail).toMatch(/^sequence \(0040,A730\) nests deeper than 32 levels at offset \d+$/);
  });

  it('a wide item bomb (element count cap)', () => {
    const items: number[] = [];
    for (let i = 0; i < 3000; i++) items.push(...item([]));
    const e = refusal(part10(EVRLE, [...ident, ...long(0x0040, 0xa730, 'SQ', items)]), { ...DEFAULT_PARSE_LIMITS, maxElements: 1000 });
    expect(e.detail).toBe('more than 1000 elements and items: refused as a parsing bomb');
  });

  it('a deflate bomb: inflated with a maximum output size', () => {
    const deflated = deflateRawSync(Buffer.concat([Buffer.from(ident), Buffer.alloc(20_000_000)]));
    const e = refusal(part10('1.2.840.10008.1.2.1.99', deflated), { ...DEFAULT_PARSE_LIMITS, maxInflatedBytes: 1_000_000 });
    expect(deflated.length).toBeLessThan(50_000);
    expect(e.detail).toBe('deflated data set inflates past 1000000 bytes: refused as a decompression bomb');
  });

  it('rows x columns x frames x bits larger than the pixel data', () => {
    const body = [
      ...ident,
      ...short(0x0028, 0x0002, 'US', u16(1)),
      ...short(0x0028, 0x0008, 'IS', ascii('4')),
      ...short(0x0028, 0x0010, 'US', u16(64)),
      ...short(0x0028, 0x0011, 'US', u16(64)),
      ...short(0x0028, 0x0100, 'US', u16(16)),
      ...long(0x7fe0, 0x0010, 'OW', new Array(64 * 64 * 2).fill(0)),
    ];
    expect(refusal(part10(EVRLE, body)).detail).toBe('pixel data holds 8192 bytes but rows x columns x frames x samples x bits needs 32768');
  });

  it('declared dimensions beyond the decode cap, before any allocation', () => {
    const body = [
      ...ident,
      ...short(0x0028, 0x0008, 'IS', ascii('10000')),
      ...short(0x0028, 0x0010, 'US', u16(65535)),
      ...short(0x0028, 0x0011, 'US', u16(65535)),
      ...short(0x0028, 0x0100, 'US', u16(16)),
      ...long(0x7fe0, 0x0010, 'OB', [...item([]), ...item([1, 2, 3, 4]), ...tag(0xfffe, 0xe0dd), 0, 0, 0, 0], UNDEF),
    ];
    const e = refusal(part10('1.2.840.10008.1.2.4.90', body));
    expect(e.detail).toMatch(/^rows x columns x frames x samples \(65535x65535x10000x1\) decodes to \d+ bytes, above the \d+-byte limit$/);
  });

  it('fewer encapsulated fragments than frames', () => {
    const body = [
      ...ident,
      ...short(0x0028, 0x0008, 'IS', ascii('3')),
      ...short(0x0028, 0x0010, 'US', u16(4)),
      ...short(0x0028, 0x0011, 'US', u16(4)),
      ...short(0x0028, 0x0100, 'US', u16(8)),
      ...long(0x7fe0, 0x0010, 'OB', [...item([]), ...item([1, 2, 3, 4]), ...tag(0xfffe, 0xe0dd), 0, 0, 0, 0], UNDEF),
    ];
    expect(refusal(part10('1.2.840.10008.1.2.4.90', body)).detail).toBe('encapsulated pixel data holds 1 fragments for 3 frames');
  });

  it('an invalid VR', () => {
    const body = [...ident, ...tag(0x0010, 0x0010), 0x5a, 0x5a, ...u16(2), 65, 66];
    expect(refusal(part10(EVRLE, body)).detail).toMatch(/^element \(0010,0010\) at offset \d+ has no valid VR \(bytes 0x5a5a\)$/);
  });

  it('an unsupported transfer syntax', () => {
    expect(refusal(part10('1.2.3.4.5.6', ident)).detail).toBe('unsupported transfer syntax 1.2.3.4.5.6');
  });

  it('keeps memory flat on a lying length: no buffer the size of the declared length', () => {
    const bytes = part10(EVRLE, [...ident, ...long(0x7fe0, 0x0010, 'OW', [1, 2, 3, 4], 0xfffffffe)]);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 200; i++) refusal(bytes);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50 * 1024 * 1024);
  });
});

describe('files without preamble or file meta', () => {
  it('reads a meta-less implicit VR little endian data set', () => {
    const implicit = cat(tag(0x0008, 0x0016), u32(26), ascii('1.2.840.10008.5.1.4.1.1.2'), tag(0x0008, 0x0018), u32(8), ascii('1.2.3.77'));
    const p = parseDicom(implicit);
    expect(p.summary.container).toBe('no-file-meta');
    expect(p.summary.transferSyntaxUid).toBe('1.2.840.10008.1.2');
    expect(p.summary.sopInstanceUid).toBe('1.2.3.77');
  });

  it('reads a Part 10 file without the 128-byte preamble', () => {
    const withPreamble = part10(EVRLE, ident);
    const p = parseDicom(withPreamble.subarray(128));
    expect(p.summary.container).toBe('part10-no-preamble');
    expect(p.summary.sopInstanceUid).toBe('1.2.3.4');
  });
});

describe('mutated files never escape as anything but a DomainError', () => {
  it('parse + de-identify + decode on 400 byte-level mutations of a valid file', async () => {
    const { deidentify } = await import('../../src/dicom/deidentify.js');
    const { decodePixelData } = await import('../../src/dicom/pixels.js');
    const { TEST_OPTIONS, TEST_TRIAL } = await import('./corpus-outcome.js');
    const base = writeCtSlice({ sop: '1.2.3.5', position: [0, 0, 0], rows: 6, columns: 6 });
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const outcomes = { ok: 0, refused: 0 };
    for (let i = 0; i < 400; i++) {
      const bytes = Buffer.from(base);
      for (let k = 0, m = 1 + rand(4); k < m; k++) {
        const at = 128 + rand(bytes.length - 128);
        bytes[at] = rand(3) === 0 ? 0xff : rand(256);
      }
      const cut = rand(5) === 0 ? bytes.subarray(0, 132 + rand(bytes.length - 132)) : bytes;
      try {
        const parsed = parseDicom(cut);
        deidentify(parsed, cut, TEST_TRIAL, TEST_OPTIONS);
        if (parsed.summary.pixelData) await decodePixelData(parsed);
        outcomes.ok++;
      } catch (e) {
        if (!(e instanceof DomainError)) throw new Error(`mutation ${i} escaped as ${String(e)}`);
        outcomes.refused++;
      }
    }
    expect(outcomes.ok + outcomes.refused).toBe(400);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
