// Compact, deterministic encoding of a binary mask: run lengths per axial slice, stored only for the slices between
// the first and the last one holding a voxel (a lesion spans a few slices of a few hundred). Within a slice, runs follow
// voxel order (i fastest, then j) and alternate outside / inside, starting with an outside run (possibly 0); the final
// outside run is implied. Each slice's runs are unsigned LEB128 varints, base64-encoded; an empty slice is ''.
// The form is canonical (no zero-length runs after the first, the stored range starts and ends on non-empty slices),
// so equal masks always encode to equal values and a decoder can refuse anything else.
import { DomainError } from '../errors.js';
import { type MaskDims, assertMaskFits } from './binary-mask.js';

export const MASK_RLE_FORMAT = 'corelab-mask-rle';
export const MASK_RLE_VERSIONS = [1] as const;
export type MaskRleVersion = (typeof MASK_RLE_VERSIONS)[number];

/** Refuse grids past 2^30 voxels (1 GiB decoded): no CT we read is that large, and a crafted header must not be. */
export const MAX_MASK_VOXELS = 2 ** 30;

export interface RleMask {
  readonly format: typeof MASK_RLE_FORMAT;
  readonly version: MaskRleVersion;
  readonly dims: MaskDims;
  /** k of slices[0]; slices outside firstSlice .. firstSlice + slices.length - 1 are empty */
  readonly firstSlice: number;
  readonly slices: readonly string[];
  readonly voxelCount: number;
}

function invalid(detail: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `mask encoding: ${detail}`);
}

function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function encodeSlice(mask: Uint8Array, offset: number, plane: number): { text: string; count: number } {
  const bytes: number[] = [];
  let inside = false;
  let run = 0;
  let count = 0;
  for (let v = 0; v < plane; v++) {
    const now = mask[offset + v] !== 0;
    if (now) count++;
    if (now !== inside) {
      pushVarint(bytes, run);
      inside = now;
      run = 0;
    }
    run++;
  }
  if (inside) pushVarint(bytes, run); // a trailing outside run is implied
  return { text: count === 0 ? '' : Buffer.from(bytes).toString('base64'), count };
}

export function encodeMaskRle(mask: Uint8Array, dims: MaskDims): RleMask {
  assertMaskFits(mask, dims);
  const plane = dims[0] * dims[1];
  const encoded = Array.from({ length: dims[2] }, (_, k) => encodeSlice(mask, k * plane, plane));
  const nonEmpty = encoded.map((e, k) => (e.count > 0 ? k : -1)).filter((k) => k >= 0);
  const first = nonEmpty.length ? nonEmpty[0] : 0;
  const last = nonEmpty.length ? nonEmpty[nonEmpty.length - 1] : -1;
  return {
    format: MASK_RLE_FORMAT,
    version: 1,
    dims: [dims[0], dims[1], dims[2]],
    firstSlice: first,
    slices: encoded.slice(first, last + 1).map((e) => e.text),
    voxelCount: encoded.reduce((n, e) => n + e.count, 0),
  };
}

function decodeRuns(text: string, k: number, plane: number): number[] {
  const bytes = Buffer.from(text, 'base64');
  // Buffer skips stray characters and padding bits; only the canonical spelling is accepted.
  if (bytes.toString('base64') !== text) throw invalid(`slice ${k} is not canonical base64`);
  const runs: number[] = [];
  let value = 0;
  let scale = 1;
  let pending = false;
  for (const b of bytes) {
    value += (b & 0x7f) * scale;
    if (value > plane) throw invalid(`slice ${k} has a run longer than the slice`);
    if (b === 0 && pending) throw invalid(`slice ${k} has a number with a redundant byte`);
    if (b & 0x80) {
      scale *= 0x80;
      pending = true;
      continue;
    }
    runs.push(value);
    value = 0;
    scale = 1;
    pending = false;
  }
  if (pending) throw invalid(`slice ${k} ends inside a number`);
  return runs;
}

/** Checks the header and the stored slice range of an encoded mask; returns its grid. */
function checkedDims(rle: RleMask): MaskDims {
  if (rle === null || typeof rle !== 'object') throw invalid('not an object');
  if (rle.format !== MASK_RLE_FORMAT) throw invalid(`unknown format ${JSON.stringify(rle.format)}`);
  if (!(MASK_RLE_VERSIONS as readonly unknown[]).includes(rle.version)) {
    throw invalid(`unsupported version ${JSON.stringify(rle.version)}`);
  }
  const dims = rle.dims;
  if (!Array.isArray(dims) || dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw invalid('dims must be three positive integers');
  }
  const [nx, ny, nz] = dims;
  if (nx * ny * nz > MAX_MASK_VOXELS) throw invalid(`grid ${nx}x${ny}x${nz} is larger than ${MAX_MASK_VOXELS} voxels`);
  if (!Array.isArray(rle.slices) || !rle.slices.every((s) => typeof s === 'string')) {
    throw invalid('slices must be strings');
  }
  const first = rle.firstSlice;
  if (!Number.isInteger(first) || first < 0 || first + rle.slices.length > nz) {
    throw invalid(`slices ${first}..${first + rle.slices.length - 1} fall outside 0..${nz - 1}`);
  }
  if (rle.slices.length === 0 ? first !== 0 : rle.slices[0] === '' || rle.slices[rle.slices.length - 1] === '') {
    throw invalid('the stored slice range must start and end on a non-empty slice');
  }
  return [nx, ny, nz];
}

/** Decodes the stored slices into `out`, slice s of the range at out offset s * plane; checks runs and count. */
function decodeStoredSlices(rle: RleMask, plane: number, out: Uint8Array): void {
  const first = rle.firstSlice;
  let count = 0;
  rle.slices.forEach((text, s) => {
    const k = first + s;
    const runs = decodeRuns(text, k, plane);
    if (text !== '' && runs.length % 2 !== 0) throw invalid(`slice ${k} does not end on an inside run`);
    let v = 0;
    runs.forEach((run, r) => {
      if (run === 0 && r > 0) throw invalid(`slice ${k} has a zero-length run`);
      if (v + run > plane) throw invalid(`slice ${k} runs past the end of the slice`);
      if (r % 2 === 1) {
        out.fill(1, s * plane + v, s * plane + v + run);
        count += run;
      }
      v += run;
    });
  });
  if (count !== rle.voxelCount) throw invalid(`voxelCount ${rle.voxelCount} does not match the runs (${count})`);
}

export function decodeMaskRle(rle: RleMask): Uint8Array {
  const [nx, ny, nz] = checkedDims(rle);
  const plane = nx * ny;
  const mask = new Uint8Array(plane * nz);
  decodeStoredSlices(rle, plane, mask.subarray(rle.firstSlice * plane));
  return mask;
}

/**
 * Decodes only the stored slice range (firstSlice .. firstSlice + depth - 1), nx*ny*depth voxels: a lesion's few
 * slices, without allocating the whole grid (a CT grid is tens of megabytes; its lesion, kilobytes).
 */
export function decodeMaskRleSlab(rle: RleMask): { firstSlice: number; depth: number; voxels: Uint8Array } {
  const [nx, ny] = checkedDims(rle);
  const plane = nx * ny;
  const voxels = new Uint8Array(plane * rle.slices.length);
  decodeStoredSlices(rle, plane, voxels);
  return { firstSlice: rle.firstSlice, depth: rle.slices.length, voxels };
}

/**
 * Encodes a mask held as a box of a larger grid (e.g. a lesion's bounding box on a CT series), without
 * materialising the grid; the result is exactly what encodeMaskRle gives for the whole grid.
 */
export function encodeMaskBoxRle(box: Uint8Array, boxDims: MaskDims, offset: MaskDims, gridDims: MaskDims): RleMask {
  if (!gridDims.every((d) => Number.isInteger(d) && d > 0)) throw invalid('grid dims must be three positive integers');
  // an empty box (nothing segmented) encodes the empty mask
  if (boxDims.every((d) => d === 0) && box.length === 0) {
    return { format: MASK_RLE_FORMAT, version: 1, dims: [gridDims[0], gridDims[1], gridDims[2]], firstSlice: 0, slices: [], voxelCount: 0 };
  }
  assertMaskFits(box, boxDims);
  for (let a = 0; a < 3; a++) {
    if (!Number.isInteger(offset[a]) || offset[a] < 0 || offset[a] + boxDims[a] > gridDims[a]) {
      throw invalid(`the box (offset ${offset.join(',')}, size ${boxDims.join('x')}) does not fit the grid ${gridDims.join('x')}`);
    }
  }
  const [nx, ny] = gridDims;
  const [w, h, d] = boxDims;
  const slab = new Uint8Array(nx * ny * d);
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++) {
      const src = y * w + z * w * h;
      slab.set(box.subarray(src, src + w), offset[0] + (offset[1] + y) * nx + z * nx * ny);
    }
  const r = encodeMaskRle(slab, [nx, ny, d]);
  return { ...r, dims: [gridDims[0], gridDims[1], gridDims[2]], firstSlice: r.slices.length ? r.firstSlice + offset[2] : 0 };
}
