// One slice of a volume for readers and workers: 16-bit little endian raw (modality values, clamped to int16) or an
// 8-bit grayscale PNG through a window (centre/width, PS3.3 C.11.2.1.2.1 linear function).
import { PNG } from 'pngjs';
import { DomainError } from '../domain/errors.js';
import type { Volume } from '../domain/volume.js';

export interface Window {
  readonly center: number;
  readonly width: number;
}

function sliceValues(volume: Volume, k: number): Int16Array | Float32Array {
  const [nx, ny, nz] = volume.dims;
  if (!Number.isInteger(k) || k < 0 || k >= nz) throw new DomainError('NOT_FOUND', `slice ${k} is outside 0..${nz - 1}`);
  return volume.voxels.subarray(k * nx * ny, (k + 1) * nx * ny);
}

/** Slice k as signed 16-bit little endian samples, row by row (index i + j*nx). */
export function sliceRaw16(volume: Volume, k: number): Buffer {
  const values = sliceValues(volume, k);
  const out = Buffer.alloc(values.length * 2);
  for (let p = 0; p < values.length; p++) out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(values[p]))), 2 * p);
  return out;
}

/** Slice k as an 8-bit grayscale PNG after applying the window. */
export function sliceWindowedPng(volume: Volume, k: number, window: Window): Buffer {
  if (!(window.width >= 1)) throw new DomainError('VALIDATION_FAILED', 'window width must be at least 1');
  const values = sliceValues(volume, k);
  const [nx, ny] = volume.dims;
  const png = new PNG({ width: nx, height: ny, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  const gray = Buffer.alloc(nx * ny);
  const c = window.center - 0.5;
  const w = window.width - 1;
  for (let p = 0; p < values.length; p++) {
    const v = values[p];
    const y = v <= c - w / 2 ? 0 : v > c + w / 2 ? 255 : ((v - c) / w + 0.5) * 255;
    gray[p] = Math.round(y);
  }
  png.data = gray;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
}
