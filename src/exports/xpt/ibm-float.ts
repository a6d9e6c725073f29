// IBM System/370 hexadecimal floating point, as SAS XPORT v5 stores numbers (SAS TS-140; primer section 6.4).
// 8 bytes: sign bit, 7-bit exponent (base 16, excess 64), 56-bit fraction with the radix point on the left,
// normalised so the first hex digit of the fraction is non-zero. value = (-1)^s x 0.F x 16^(E-64).

/** SAS missing values: `.` (standard), `._` and `.A`-`.Z` (special). SDTM exports use only `.`. */
export const XPT_MISSING_CODES = [
  '.', '._', '.A', '.B', '.C', '.D', '.E', '.F', '.G', '.H', '.I', '.J', '.K', '.L', '.M',
  '.N', '.O', '.P', '.Q', '.R', '.S', '.T', '.U', '.V', '.W', '.X', '.Y', '.Z',
] as const;
export type XptMissingCode = (typeof XPT_MISSING_CODES)[number];

/** A numeric cell that is missing, with its SAS missing code. Plain `null` means standard missing `.`. */
export interface XptMissing {
  readonly missing: XptMissingCode;
}

export function xptMissing(code: XptMissingCode): XptMissing {
  return Object.freeze({ missing: code });
}

export function isXptMissing(v: unknown): v is XptMissing {
  return typeof v === 'object' && v !== null && typeof (v as XptMissing).missing === 'string';
}

/** Smallest positive normalised IBM value, 16^-65 = 2^-260 (~5.4e-79). Below it we write 0. */
export const IBM_MIN_POSITIVE = 2 ** -260;
/** Largest double that fits: (1 - 2^-53) x 16^63 (~7.2e75; IBM's own maximum is (1 - 16^-14) x 16^63). */
export const IBM_MAX = (2 ** 53 - 1) * 2 ** (252 - 53);

export class IbmFloatRangeError extends RangeError {
  override readonly name = 'IbmFloatRangeError';
}

const scratch = new DataView(new ArrayBuffer(8));
const TWO_32 = 2 ** 32;

function missingByte(code: XptMissingCode): number {
  if (code === '.') return 0x2e;
  if (code === '._') return 0x5f;
  return code.charCodeAt(1); // 'A'..'Z' -> 0x41..0x5A
}

/** Writes the 8-byte missing value for `code` at `offset`. */
export function writeIbmMissing(out: Uint8Array, offset: number, code: XptMissingCode = '.'): void {
  out[offset] = missingByte(code);
  out.fill(0, offset + 1, offset + 8);
}

/**
 * Encodes a finite double exactly into IBM hex float at out[offset..offset+8). Exact for every double in
 * [2^-260, IBM_MAX]: the 53-bit IEEE significand shifted by 0-3 bits fits the 56-bit IBM fraction.
 * Zero and -0 become 8 zero bytes; magnitudes below 2^-260 become zero (primer 6.4); NaN, infinities and
 * magnitudes above IBM_MAX throw IbmFloatRangeError (a missing value must be passed as missing, not NaN).
 */
export function writeIbmFloat(out: Uint8Array, offset: number, value: number): void {
  if (!Number.isFinite(value)) throw new IbmFloatRangeError(`not a finite number: ${value}`);
  if (value === 0 || Math.abs(value) < IBM_MIN_POSITIVE) {
    out.fill(0, offset, offset + 8);
    return;
  }
  scratch.setFloat64(0, value);
  const hiWord = scratch.getUint32(0);
  const loWord = scratch.getUint32(4);
  const sign = hiWord >>> 31;
  const biasedExp = (hiWord >>> 20) & 0x7ff;
  // Normal double (subnormals are < 2^-1022, far below IBM_MIN_POSITIVE, handled above):
  // |value| = M x 2^p with M = 2^52 + mantissa (53 bits), p = e - 1075.
  const mantissaHigh = (hiWord & 0xfffff) + 0x100000; // top 21 bits of M, including the implicit 1
  const p = biasedExp - 1075;
  // Want |value| = F x 2^(4k - 56) with F in [2^52, 2^56): F = M x 2^s, s = (p + 56) - 4k in 0..3.
  const q = p + 56;
  const k = Math.floor(q / 4);
  const s = q - 4 * k;
  const exponent = k + 64;
  if (exponent > 127) throw new IbmFloatRangeError(`too large for IBM floating point: ${value}`);
  if (exponent < 0) {
    out.fill(0, offset, offset + 8);
    return;
  }
  // F = M * 2^s, split exactly into the high 24 bits and the low 32 bits (all steps are exact in doubles).
  const m = mantissaHigh * TWO_32 + loWord; // exact: < 2^53
  const f = m * 2 ** s; // exact: multiplying by a power of two
  const fHigh = Math.floor(f / TWO_32); // < 2^24
  const fLow = f - fHigh * TWO_32; // < 2^32
  out[offset] = (sign << 7) | exponent;
  out[offset + 1] = (fHigh >>> 16) & 0xff;
  out[offset + 2] = (fHigh >>> 8) & 0xff;
  out[offset + 3] = fHigh & 0xff;
  out[offset + 4] = (fLow >>> 24) & 0xff;
  out[offset + 5] = (fLow >>> 16) & 0xff;
  out[offset + 6] = (fLow >>> 8) & 0xff;
  out[offset + 7] = fLow & 0xff;
}

export function encodeIbmFloat(value: number): Uint8Array {
  const out = new Uint8Array(8);
  writeIbmFloat(out, 0, value);
  return out;
}

export type IbmDecoded = number | XptMissing;

/**
 * Decodes 8 bytes of IBM hex float (or a SAS missing value). Used by our own reader and the conformance
 * check; not lenient: bytes that are neither zero, a missing code nor a number are decoded arithmetically.
 */
export function readIbmFloat(bytes: Uint8Array, offset: number): IbmDecoded {
  let restZero = true;
  for (let i = 1; i < 8; i++) {
    if (bytes[offset + i] !== 0) {
      restZero = false;
      break;
    }
  }
  const b0 = bytes[offset];
  if (restZero) {
    if (b0 === 0x00 || b0 === 0x80) return 0;
    const code = missingCodeOfByte(b0);
    if (code !== undefined) return xptMissing(code);
  }
  const sign = b0 & 0x80 ? -1 : 1;
  const exponent = b0 & 0x7f;
  const fHigh = (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
  const fLow =
    ((bytes[offset + 4] << 24) >>> 0) + (bytes[offset + 5] << 16) + (bytes[offset + 6] << 8) + bytes[offset + 7];
  const fraction = fHigh * TWO_32 + fLow;
  return sign * fraction * 2 ** (4 * (exponent - 64) - 56);
}

/** The missing code a first byte stands for when the other seven bytes are zero, if any. */
export function missingCodeOfByte(b0: number): XptMissingCode | undefined {
  if (b0 === 0x2e) return '.';
  if (b0 === 0x5f) return '._';
  if (b0 >= 0x41 && b0 <= 0x5a) return `.${String.fromCharCode(b0)}` as XptMissingCode;
  return undefined;
}

/** True when the 8 bytes are a normalised IBM float, a true zero, or a missing code (conformance item 6). */
export function isWellFormedIbm(bytes: Uint8Array, offset: number, allowSpecialMissing: boolean): boolean {
  let restZero = true;
  for (let i = 1; i < 8; i++) if (bytes[offset + i] !== 0) restZero = false;
  const b0 = bytes[offset];
  if (restZero) {
    if (b0 === 0x00) return true;
    if (b0 === 0x2e) return true;
    if (allowSpecialMissing && missingCodeOfByte(b0) !== undefined) return true;
    return false;
  }
  return bytes[offset + 1] >>> 4 !== 0; // first hex digit of the fraction non-zero
}
