// A binary mask on a volume grid: one byte per voxel, non-zero = inside, index = i + j*nx + k*nx*ny (the same order as
// Volume.voxels in src/domain/volume.ts, so a mask and its image share a VolumeGeometry).
import { DomainError } from '../errors.js';

export type MaskDims = readonly [number, number, number];

export function assertMaskFits(mask: Uint8Array, dims: MaskDims): void {
  if (!dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new DomainError('VALIDATION_FAILED', `mask dimensions must be positive integers, got ${dims.join('x')}`);
  }
  const n = dims[0] * dims[1] * dims[2];
  if (mask.length !== n) {
    throw new DomainError('VALIDATION_FAILED', `mask has ${mask.length} voxels, its grid ${dims.join('x')} has ${n}`);
  }
}

export function countMaskVoxels(mask: Uint8Array): number {
  let n = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v] !== 0) n++;
  return n;
}
