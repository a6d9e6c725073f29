import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  IBM_MAX,
  IBM_MIN_POSITIVE,
  IbmFloatRangeError,
  XPT_MISSING_CODES,
  encodeIbmFloat,
  isWellFormedIbm,
  readIbmFloat,
  writeIbmMissing,
} from '../../../src/exports/xpt/ibm-float.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('IBM hex float encoding (primer 6.4)', () => {
  it.each([
    [1, '4110000000000000'],
    [-1, 'C110000000000000'],
    [100, '4264000000000000'],
    [0.1, '401999999999999A'],
    [0, '0000000000000000'],
    [-0, '0000000000000000'],
    // alignment shifts s = 0..3: the top hex digit of the fraction is 1, 2-3, 4-7 and 8-F
    [16, '4210000000000000'],
    [2, '4120000000000000'],
    [4, '4140000000000000'],
    [8, '4180000000000000'],
    [15, '41F0000000000000'],
    [0.5, '4080000000000000'],
    [0.0625, '4010000000000000'],
    [-21.3, 'C2154CCCCCCCCCCD'],
    [32, '4220000000000000'],
    [2 ** -260, '0010000000000000'],
  ])('%p -> %s', (value, expected) => {
    expect(hex(encodeIbmFloat(value))).toBe(expected);
  });

  it('writes 0 for magnitudes below 16^-65 and for subnormal doubles', () => {
    for (const v of [2 ** -261, -(2 ** -300), 5e-324, 1e-100]) expect(hex(encodeIbmFloat(v))).toBe('0000000000000000');
  });

  it('encodes the largest representable double and refuses anything larger, NaN and infinities', () => {
    expect(readIbmFloat(encodeIbmFloat(IBM_MAX), 0)).toBe(IBM_MAX);
    expect(hex(encodeIbmFloat(IBM_MAX))).toBe('7FFFFFFFFFFFFFF8');
    for (const v of [2 ** 252, 1e76, -1e300, Number.MAX_VALUE, NaN, Infinity, -Infinity]) {
      expect(() => encodeIbmFloat(v)).toThrow(IbmFloatRangeError);
    }
  });

  it('round-trips every double in range exactly, and the result is normalised', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -IBM_MAX, max: IBM_MAX }), (v) => {
        const bytes = encodeIbmFloat(v);
        const back = readIbmFloat(bytes, 0);
        expect(isWellFormedIbm(bytes, 0, false)).toBe(true);
        if (Math.abs(v) < IBM_MIN_POSITIVE) expect(back).toBe(0);
        else expect(back).toBe(v);
      }),
      { numRuns: 20000 },
    );
  });

  it.each([
    [1e-78], [7e75], [-7e75], [123456789.123], [-0.000123], [Number.MIN_SAFE_INTEGER], [Number.MAX_SAFE_INTEGER], [1 / 3],
  ])('round-trips %p exactly', (v) => {
    expect(readIbmFloat(encodeIbmFloat(v), 0)).toBe(v);
  });
});

describe('missing values', () => {
  it('standard missing . is 2E followed by 7 zero bytes', () => {
    const b = new Uint8Array(8).fill(0xff);
    writeIbmMissing(b, 0, '.');
    expect(hex(b)).toBe('2E00000000000000');
  });

  it.each(XPT_MISSING_CODES.map((c) => [c]))('special missing %s round-trips', (code) => {
    const b = new Uint8Array(8);
    writeIbmMissing(b, 0, code);
    const expectedByte = code === '.' ? 0x2e : code === '._' ? 0x5f : code.charCodeAt(1);
    expect(b[0]).toBe(expectedByte);
    expect([...b.subarray(1)]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(readIbmFloat(b, 0)).toEqual({ missing: code });
    expect(isWellFormedIbm(b, 0, true)).toBe(true);
    if (code !== '.') expect(isWellFormedIbm(b, 0, false)).toBe(false);
  });

  it('decodes 0x80 + zeros (IBM negative zero) as 0 and flags an unnormalised fraction', () => {
    expect(readIbmFloat(Uint8Array.from([0x80, 0, 0, 0, 0, 0, 0, 0]), 0)).toBe(0);
    const unnormalised = Uint8Array.from([0x42, 0x01, 0, 0, 0, 0, 0, 0]);
    expect(isWellFormedIbm(unnormalised, 0, false)).toBe(false);
    expect(readIbmFloat(unnormalised, 0)).toBe(1); // fraction 0x01/256 x 16^2
  });
});
