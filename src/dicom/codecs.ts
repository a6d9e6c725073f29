// Registry codecs for encapsulated pixel data: OpenJPEG (JPEG 2000 and HTJ2K), CharLS (JPEG-LS), libjpeg-turbo
// (8-bit JPEG) as WebAssembly builds, and jpeg-lossless-decoder-js (JPEG lossless, process 14). A decoder that throws
// or aborts (liver_j2k.dcm is known to crash some JPEG 2000 decoders) costs its WASM instance, which is dropped and
// rebuilt on next use, and the frame is refused with a reason; the process keeps running.
import { createRequire } from 'node:module';
import { Decoder as LosslessJpegDecoder } from 'jpeg-lossless-decoder-js';
import { DomainError } from '../domain/errors.js';

const require = createRequire(import.meta.url);

export interface CodecFrameInfo {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: number;
  readonly componentCount: number;
}

export interface DecodedCodecFrame {
  readonly info: CodecFrameInfo;
  /** decoded samples, little endian, interleaved; a copy owned by the caller */
  readonly bytes: Uint8Array;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  readHeader?(): void;
  delete?(): void;
}
type WasmModule = Record<string, new () => WasmDecoder>;

const WASM_CODECS = {
  openjpeg: { module: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoder: 'J2KDecoder', label: 'JPEG 2000' },
  charls: { module: '@cornerstonejs/codec-charls/decodewasmjs', decoder: 'JpegLSDecoder', label: 'JPEG-LS' },
  libjpegturbo: { module: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', decoder: 'JPEGDecoder', label: 'JPEG' },
} as const;
export type WasmCodec = keyof typeof WASM_CODECS;

const instances = new Map<WasmCodec, Promise<WasmModule>>();

function load(codec: WasmCodec): Promise<WasmModule> {
  let p = instances.get(codec);
  if (!p) {
    const factory = require(WASM_CODECS[codec].module) as (o: object) => Promise<WasmModule>;
    // Emscripten prints decoder chatter to stdout; SEC-12 keeps logs to what we write ourselves.
    const quiet = () => undefined;
    p = factory({ print: quiet, printErr: quiet });
    instances.set(codec, p);
  }
  return p;
}

export async function decodeWithWasm(codec: WasmCodec, data: Uint8Array, frameLabel: string): Promise<DecodedCodecFrame> {
  const spec = WASM_CODECS[codec];
  const mod = await load(codec);
  let decoder: WasmDecoder | undefined;
  try {
    decoder = new mod[spec.decoder]();
    decoder.getEncodedBuffer(data.length).set(data);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const bytes = Uint8Array.from(decoder.getDecodedBuffer());
    return { info: { width: info.width, height: info.height, bitsPerSample: info.bitsPerSample, componentCount: info.componentCount }, bytes };
  } catch (e) {
    // An aborted or trapped instance may be left in any state: drop it so the next frame gets a fresh one.
    instances.delete(codec);
    decoder = undefined;
    const why = e instanceof Error ? e.message : typeof e === 'number' ? `WASM exception ${e}` : String(e);
    throw new DomainError('INVALID_DICOM', `${spec.label} decoder failed on ${frameLabel}: ${why}`);
  } finally {
    try {
      decoder?.delete?.();
    } catch {
      instances.delete(codec);
    }
  }
}

export function decodeLosslessJpeg(data: Uint8Array, bytesPerSample: number, frameLabel: string): DecodedCodecFrame {
  try {
    const d = new LosslessJpegDecoder();
    const copy = data.slice().buffer;
    const out = d.decode(copy, 0, data.length, bytesPerSample);
    const raw = out instanceof ArrayBuffer ? new Uint8Array(out) : new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    return {
      info: { width: d.xDim, height: d.yDim, bitsPerSample: d.precision, componentCount: d.numComp },
      bytes: Uint8Array.from(raw),
    };
  } catch (e) {
    throw new DomainError('INVALID_DICOM', `JPEG lossless decoder failed on ${frameLabel}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
