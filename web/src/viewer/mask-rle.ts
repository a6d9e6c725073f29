import type { components } from '../api/schema.js';

// The browser's reader of a segmentation mask, 'corelab-mask-rle' version 1 (the server's encoder and decoder are
// src/domain/mask/mask-rle.ts, which uses Node's Buffer; this mirrors its decoder with atob and is tested against
// that encoder in test/web/viewer.test.ts). Per axial slice, only for the slices from the first to the last
// holding a voxel: alternating outside / inside run lengths in voxel order (i fastest, then j), starting with an
// outside run (possibly 0), the final outside run implied; each run an unsigned LEB128 varint; each slice's bytes
// base64; an empty slice is ''. The form is canonical, so anything else is refused, as the server does.
//
// The viewer needs one slice at a time (a 512×512×300 mask is 78 MB decoded), so the runs are checked once for the
// whole mask and a slice's pixels are only made when it is drawn.

export type RleMask = components['schemas']['RleMask'];

export const MASK_RLE_FORMAT = 'corelab-mask-rle';
const MAX_MASK_VOXELS = 2 ** 30;

export class MaskEncodingError extends Error {
  constructor(detail: string) {
    super(`mask encoding: ${detail}`);
  }
}

function base64Bytes(text: string, k: number): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new MaskEncodingError(`slice ${k} is not base64`);
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  // atob accepts missing padding and stray bits; only the canonical spelling is accepted (as the server does).
  if (btoa(binary) !== text) throw new MaskEncodingError(`slice ${k} is not canonical base64`);
  return bytes;
}

function decodeRuns(text: string, k: number, plane: number): number[] {
  const runs: number[] = [];
  let value = 0;
  let scale = 1;
  let pending = false;
  for (const b of base64Bytes(text, k)) {
    value += (b & 0x7f) * scale;
    if (value > plane) throw new MaskEncodingError(`slice ${k} has a run longer than the slice`);
    if (b === 0 && pending) throw new MaskEncodingError(`slice ${k} has a number with a redundant byte`);
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
  if (pending) throw new MaskEncodingError(`slice ${k} ends inside a number`);
  return runs;
}

export interface DecodedMask {
  dims: [number, number, number];
  firstSlice: number;
  lastSlice: number;
  voxelCount: number;
  /** slice k's pixels (1 inside, index i + j*nx), or null when the slice holds no voxel */
  slice(k: number): Uint8Array | null;
}

/** Checks the whole encoding (as the server's decodeMaskRle does) and returns a per-slice reader. */
export function decodeMaskRle(rle: RleMask): DecodedMask {
  if (rle === null || typeof rle !== 'object') throw new MaskEncodingError('not an object');
  if (rle.format !== MASK_RLE_FORMAT) throw new MaskEncodingError(`unknown format ${JSON.stringify(rle.format)}`);
  if (rle.version !== 1) throw new MaskEncodingError(`unsupported version ${JSON.stringify(rle.version)}`);
  const dims = rle.dims;
  if (!Array.isArray(dims) || dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0)) throw new MaskEncodingError('dims must be three positive integers');
  const [nx, ny, nz] = dims;
  if (nx * ny * nz > MAX_MASK_VOXELS) throw new MaskEncodingError(`grid ${nx}x${ny}x${nz} is larger than ${MAX_MASK_VOXELS} voxels`);
  if (!Array.isArray(rle.slices) || !rle.slices.every((s) => typeof s === 'string')) throw new MaskEncodingError('slices must be strings');
  const first = rle.firstSlice;
  if (!Number.isInteger(first) || first < 0 || first + rle.slices.length > nz) throw new MaskEncodingError(`slices ${first}..${first + rle.slices.length - 1} fall outside 0..${nz - 1}`);
  if (rle.slices.length === 0 ? first !== 0 : rle.slices[0] === '' || rle.slices[rle.slices.length - 1] === '') {
    throw new MaskEncodingError('the stored slice range must start and end on a non-empty slice');
  }
  const plane = nx * ny;
  let count = 0;
  const runsOf = rle.slices.map((text, s) => {
    const k = first + s;
    const runs = decodeRuns(text, k, plane);
    if (text !== '' && runs.length % 2 !== 0) throw new MaskEncodingError(`slice ${k} does not end on an inside run`);
    let v = 0;
    runs.forEach((run, r) => {
      if (run === 0 && r > 0) throw new MaskEncodingError(`slice ${k} has a zero-length run`);
      if (v + run > plane) throw new MaskEncodingError(`slice ${k} runs past the end of the slice`);
      if (r % 2 === 1) count += run;
      v += run;
    });
    return runs;
  });
  if (count !== rle.voxelCount) throw new MaskEncodingError(`voxelCount ${rle.voxelCount} does not match the runs (${count})`);
  return {
    dims: [nx, ny, nz],
    firstSlice: first,
    lastSlice: first + rle.slices.length - 1,
    voxelCount: count,
    slice(k) {
      const runs = runsOf[k - first];
      if (!runs || runs.length === 0) return null;
      const out = new Uint8Array(plane);
      let v = 0;
      runs.forEach((run, r) => {
        if (r % 2 === 1) out.fill(1, v, v + run);
        v += run;
      });
      return out;
    },
  };
}

/** One straight piece of a mask's outline, on voxel edges: (i, j) in voxel units, a voxel's centre at integers. */
export interface OutlineEdge {
  from: [number, number];
  to: [number, number];
}

/**
 * The outline of one slice's mask: every edge between an inside and an outside voxel, joined along rows and
 * columns into the longest straight pieces (a lesion of 40 voxels across gives about 160 pieces, not 5000 edges).
 */
export function maskOutline(pixels: Uint8Array, nx: number, ny: number): OutlineEdge[] {
  const inside = (i: number, j: number) => i >= 0 && j >= 0 && i < nx && j < ny && pixels[i + j * nx] !== 0;
  const edges: OutlineEdge[] = [];
  // Horizontal edges: between rows j-1 and j, at y = j - 0.5.
  for (let j = 0; j <= ny; j++) {
    let start = -1;
    for (let i = 0; i <= nx; i++) {
      const edge = i < nx && inside(i, j - 1) !== inside(i, j);
      if (edge && start < 0) start = i;
      if (!edge && start >= 0) {
        edges.push({ from: [start - 0.5, j - 0.5], to: [i - 0.5, j - 0.5] });
        start = -1;
      }
    }
  }
  // Vertical edges: between columns i-1 and i, at x = i - 0.5.
  for (let i = 0; i <= nx; i++) {
    let start = -1;
    for (let j = 0; j <= ny; j++) {
      const edge = j < ny && inside(i - 1, j) !== inside(i, j);
      if (edge && start < 0) start = j;
      if (!edge && start >= 0) {
        edges.push({ from: [i - 0.5, start - 0.5], to: [i - 0.5, j - 0.5] });
        start = -1;
      }
    }
  }
  return edges;
}
