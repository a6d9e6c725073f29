// Pixel data to typed frames. Grayscale frames carry modality values (Rescale Slope/Intercept applied, per frame for
// enhanced objects): Int16Array when they fit, Uint16Array for large unsigned values, Float32Array otherwise. Colour
// frames are interleaved RGB (Uint8Array for 8-bit, Uint16Array for 16-bit, Float32Array beyond).
import { inflateRawSync } from 'node:zlib';
import { DomainError } from '../domain/errors.js';
import { decodeLosslessJpeg, decodeWithWasm, type DecodedCodecFrame } from './codecs.js';
import type { ParsedInstance } from './parse.js';
import type { Fragment } from './prescan.js';
import { decodeRleFrame } from './rle.js';

export type PixelFrame = Int16Array | Uint16Array | Float32Array | Uint8Array;

export interface DecodedImage {
  readonly rows: number;
  readonly columns: number;
  /** 1 for grayscale and palette indices, 3 for RGB (YBR inputs are converted) */
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  /** frame index (0-based) -> decoded frame, for the frames asked for */
  readonly frames: ReadonlyMap<number, PixelFrame>;
}

function invalid(detail: string): never {
  throw new DomainError('INVALID_DICOM', detail);
}

/** Groups fragments into frames (PS3.5 A.4): Basic Offset Table, one fragment per frame, or start markers. */
export function frameFragments(parsed: ParsedInstance, frameIndex: number): Uint8Array {
  const pd = parsed.summary.pixelData;
  if (pd?.kind !== 'encapsulated') invalid('pixel data is not encapsulated');
  const { basicOffsetTable: bot, fragments } = pd.data;
  const frames = parsed.summary.numberOfFrames;
  const body = parsed.canonical.subarray(parsed.bodyOffset);
  const bytesOf = (list: readonly Fragment[]) =>
    list.length === 1
      ? body.subarray(list[0].offset, list[0].offset + list[0].length)
      : Buffer.concat(list.map((f) => body.subarray(f.offset, f.offset + f.length)));
  if (bot.length === frames && frames > 0) {
    const base = fragments[0].offset - 8;
    const lo = bot[frameIndex];
    const hi = frameIndex + 1 < frames ? bot[frameIndex + 1] : Number.POSITIVE_INFINITY;
    const list = fragments.filter((f) => f.offset - 8 - base >= lo && f.offset - 8 - base < hi);
    if (list.length === 0) invalid(`basic offset table entry ${lo} for frame ${frameIndex + 1} points at no fragment`);
    return bytesOf(list);
  }
  if (fragments.length === frames) return bytesOf([fragments[frameIndex]]);
  if (frames === 1) return bytesOf(fragments);
  // No offset table and several fragments per frame: a frame starts where a codestream starts.
  const starts = fragments
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => {
      const b = body.subarray(f.offset, f.offset + 4);
      return (b[0] === 0xff && b[1] === 0xd8) || (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51);
    })
    .map(({ i }) => i);
  if (starts.length !== frames) {
    invalid(`cannot split ${fragments.length} fragments into ${frames} frames: no basic offset table and ${starts.length} codestream starts`);
  }
  return bytesOf(fragments.slice(starts[frameIndex], starts[frameIndex + 1] ?? fragments.length));
}

/** Native frame bytes as little endian, byte-aligned samples (1-bit data unpacked to one byte per pixel). */
function nativeFrameBytes(parsed: ParsedInstance, frameIndex: number, source?: Uint8Array): Uint8Array {
  const s = parsed.summary;
  const pd = s.pixelData;
  if (pd?.kind !== 'native' && source === undefined) invalid('pixel data is encapsulated');
  const samples = s.photometricInterpretation === 'YBR_FULL_422' ? 2 : s.samplesPerPixel;
  const pixelsPerFrame = s.rows * s.columns * samples;
  const data = source ?? parsed.canonical.subarray(parsed.bodyOffset + (pd as { offset: number }).offset);
  if (s.bitsAllocated === 1) {
    const out = new Uint8Array(pixelsPerFrame);
    const firstBit = source ? 0 : frameIndex * pixelsPerFrame; // 1-bit frames are not byte aligned (PS3.5 8.1.1)
    for (let p = 0; p < pixelsPerFrame; p++) {
      const bit = firstBit + p;
      out[p] = (data[bit >> 3] >> (bit & 7)) & 1;
    }
    return out;
  }
  const bytesPerSample = s.bitsAllocated / 8;
  const frameBytes = pixelsPerFrame * bytesPerSample;
  const start = source ? 0 : frameIndex * frameBytes;
  if (start + frameBytes > data.length) invalid(`frame ${frameIndex + 1} ends past the pixel data`);
  const out = data.slice(start, start + frameBytes);
  if (!parsed.bodySyntax.littleEndian && source === undefined) {
    const vr = pd?.kind === 'native' ? pd.vr : undefined;
    const unit = vr === 'OB' ? 1 : Math.max(2, bytesPerSample); // 8-bit samples in OW are swapped as words
    if (unit > 1) for (let i = 0; i + unit <= out.length; i += unit) out.subarray(i, i + unit).reverse();
  }
  return out;
}

function ybrToRgb(y: number, cb: number, cr: number, max: number): [number, number, number] {
  const clamp = (v: number) => Math.min(max, Math.max(0, Math.round(v)));
  const mid = (max + 1) / 2;
  return [clamp(y + 1.402 * (cr - mid)), clamp(y - 0.344136 * (cb - mid) - 0.714136 * (cr - mid)), clamp(y + 1.772 * (cb - mid))];
}

/** Colour frames: planar to interleaved, YBR_FULL(_422) to RGB (PS3.3 C.7.6.3.1.2). */
function toRgb(bytes: Uint8Array, parsed: ParsedInstance, fromCodec: boolean): PixelFrame {
  const s = parsed.summary;
  const n = s.rows * s.columns;
  const bps = s.bitsAllocated / 8;
  const read = (i: number) => (bps === 1 ? bytes[i] : bps === 2 ? bytes[2 * i] | (bytes[2 * i + 1] << 8) : new DataView(bytes.buffer, bytes.byteOffset).getUint32(4 * i, true));
  const out = bps === 1 ? new Uint8Array(n * 3) : bps === 2 ? new Uint16Array(n * 3) : new Float32Array(n * 3);
  const pi = s.photometricInterpretation ?? 'RGB';
  const planar = !fromCodec && s.planarConfiguration === 1;
  const max = 2 ** Math.min(s.bitsStored || s.bitsAllocated, 16) - 1;
  for (let p = 0; p < n; p++) {
    let a: number, b: number, c: number;
    if (!fromCodec && pi === 'YBR_FULL_422') {
      const pair = p >> 1;
      a = read(pair * 4 + (p & 1));
      b = read(pair * 4 + 2);
      c = read(pair * 4 + 3);
    } else if (planar) {
      a = read(p);
      b = read(n + p);
      c = read(2 * n + p);
    } else {
      a = read(3 * p);
      b = read(3 * p + 1);
      c = read(3 * p + 2);
    }
    // Codecs return RGB for JPEG (libjpeg-turbo converts YCbCr) and reversible/irreversible J2K colour transforms.
    if (!fromCodec && (pi === 'YBR_FULL' || pi === 'YBR_FULL_422')) [a, b, c] = ybrToRgb(a, b, c, max);
    out[3 * p] = a;
    out[3 * p + 1] = b;
    out[3 * p + 2] = c;
  }
  return out;
}

/** Grayscale: mask to Bits Stored, sign-extend, apply the frame's rescale, pick the narrowest exact array. */
function toModality(bytes: Uint8Array, parsed: ParsedInstance, frameIndex: number, floatPixels: boolean): PixelFrame {
  const s = parsed.summary;
  const n = s.rows * s.columns;
  const g = s.frames[frameIndex];
  const slope = g?.rescaleSlope ?? 1;
  const intercept = g?.rescaleIntercept ?? 0;
  const values = new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bits = s.bitsAllocated === 1 ? 8 : s.bitsAllocated;
  const stored = s.bitsAllocated === 1 ? 1 : Math.min(s.bitsStored || bits, bits);
  const signed = s.pixelRepresentation === 1;
  for (let p = 0; p < n; p++) {
    let v: number;
    if (floatPixels) v = bits === 64 ? view.getFloat64(8 * p, true) : view.getFloat32(4 * p, true);
    else {
      const raw = bits === 8 ? bytes[p] : bits === 16 ? view.getUint16(2 * p, true) : view.getUint32(4 * p, true);
      if (stored >= 32) v = signed ? raw | 0 : raw;
      else {
        const masked = raw & ((2 ** stored) - 1);
        v = signed && masked >= 2 ** (stored - 1) ? masked - 2 ** stored : masked;
      }
    }
    values[p] = v * slope + intercept;
  }
  if (!floatPixels && Number.isInteger(slope) && Number.isInteger(intercept)) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo >= -32768 && hi <= 32767) return Int16Array.from(values);
    if (lo >= 0 && hi <= 65535) return Uint16Array.from(values);
  }
  return Float32Array.from(values);
}

async function decodeEncapsulated(parsed: ParsedInstance, frameIndex: number): Promise<{ bytes: Uint8Array; fromCodec: boolean }> {
  const s = parsed.summary;
  const label = `frame ${frameIndex + 1}`;
  const data = frameFragments(parsed, frameIndex);
  const bytesPerSample = Math.max(1, s.bitsAllocated / 8);
  let decoded: DecodedCodecFrame;
  switch (parsed.transferSyntax.codec) {
    case 'rle':
      if (s.bitsAllocated === 1) {
        // 1-bit frames are RLE-coded as their packed bytes (one segment)
        const packed = decodeRleFrame(data, 1, Math.ceil((s.rows * s.columns) / 8), 1, 1);
        return { bytes: nativeFrameBytes(parsed, frameIndex, packed), fromCodec: false };
      }
      return { bytes: decodeRleFrame(data, s.rows, s.columns, s.samplesPerPixel, bytesPerSample), fromCodec: true };
    case 'deflate-frame': {
      const expected = s.bitsAllocated === 1 ? Math.ceil((s.rows * s.columns * s.samplesPerPixel) / 8) : s.rows * s.columns * s.samplesPerPixel * bytesPerSample;
      let raw: Uint8Array;
      try {
        raw = inflateRawSync(data, { maxOutputLength: expected });
      } catch (e) {
        invalid(`deflated ${label} does not inflate to ${expected} bytes: ${e instanceof Error ? e.message : String(e)}`);
      }
      return { bytes: nativeFrameBytes(parsed, frameIndex, raw), fromCodec: false };
    }
    case 'jpeg-baseline':
    case 'jpeg-extended': {
      const sof = findJpegSof(data);
      if (sof !== undefined && sof.precision > 8) {
        throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `${label} is ${sof.precision}-bit JPEG (DCT); the installed libjpeg-turbo build decodes 8-bit only`);
      }
      decoded = await decodeWithWasm('libjpegturbo', data, label);
      break;
    }
    case 'jpeg-lossless':
      decoded = decodeLosslessJpeg(data, bytesPerSample, label);
      break;
    case 'jpeg-ls':
      decoded = await decodeWithWasm('charls', data, label);
      break;
    case 'jpeg-2000':
    case 'htj2k':
      decoded = await decodeWithWasm('openjpeg', data, label);
      break;
    case 'video':
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `${parsed.transferSyntax.name} video is not decoded`);
    case 'native':
      invalid('native pixel data handed to the encapsulated decoder');
  }
  const { info } = decoded;
  if (info.width !== s.columns || info.height !== s.rows || info.componentCount !== s.samplesPerPixel) {
    invalid(`${label} decodes to ${info.width}x${info.height}x${info.componentCount} but the header says ${s.columns}x${s.rows}x${s.samplesPerPixel}`);
  }
  const expected = s.rows * s.columns * s.samplesPerPixel * bytesPerSample;
  let bytes = decoded.bytes;
  if (bytes.length === (expected / bytesPerSample) && bytesPerSample === 2) {
    // 8-bit codestream for 16-bit allocated samples: widen
    const wide = new Uint8Array(expected);
    for (let i = 0; i < bytes.length; i++) wide[2 * i] = bytes[i];
    bytes = wide;
  }
  if (bytes.length < expected) invalid(`${label} decodes to ${bytes.length} bytes; ${expected} expected`);
  return { bytes, fromCodec: true };
}

function findJpegSof(data: Uint8Array): { precision: number } | undefined {
  for (let i = 2; i + 4 < data.length; ) {
    if (data[i] !== 0xff) return undefined;
    const marker = data[i + 1];
    const length = (data[i + 2] << 8) | data[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { precision: data[i + 4] };
    i += 2 + length;
  }
  return undefined;
}

/** Decodes the requested frames (all by default). Throws DomainError with the reason a frame cannot be decoded. */
export async function decodePixelData(parsed: ParsedInstance, frames?: readonly number[]): Promise<DecodedImage> {
  const s = parsed.summary;
  if (!s.pixelData) throw new DomainError('UNPROCESSABLE', 'the instance has no pixel data');
  const wanted = frames ?? Array.from({ length: s.numberOfFrames }, (_, i) => i);
  for (const f of wanted) if (!Number.isInteger(f) || f < 0 || f >= s.numberOfFrames) invalid(`frame ${f + 1} is outside 1..${s.numberOfFrames}`);
  const floatPixels = s.pixelData.kind === 'native' && s.pixelData.tag !== 0x7fe00010;
  const colour = s.samplesPerPixel === 3;
  const out = new Map<number, PixelFrame>();
  for (const f of wanted) {
    const { bytes, fromCodec } =
      s.pixelData.kind === 'native' ? { bytes: nativeFrameBytes(parsed, f), fromCodec: false } : await decodeEncapsulated(parsed, f);
    out.set(f, colour ? toRgb(bytes, parsed, fromCodec) : toModality(bytes, parsed, f, floatPixels));
  }
  return {
    rows: s.rows,
    columns: s.columns,
    samplesPerPixel: colour ? 3 : 1,
    photometricInterpretation: colour ? 'RGB' : (s.photometricInterpretation ?? 'MONOCHROME2'),
    frames: out,
  };
}
