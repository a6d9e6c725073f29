// A region of a series cut out for the pool: the model reads a VOI a few centimetres across, so a worker is sent
// that box of voxels, not a whole CT (hundreds of megabytes). The box covers every voxel the region's trilinear
// reads touch, so segmenting the crop gives exactly what segmenting the whole series gives; masks found on the crop
// are mapped back to the series grid by adding the box's offset (lesion-on-series.ts).
import { DomainError } from '../domain/errors.js';
import { type Vec3, type Volume, type VolumeGeometry, patientToVoxel, voxelToPatient } from '../domain/volume.js';
import type { ModelCard } from './model-card.js';

/** A box of a voxel grid: first voxel (i, j, k) and size [x, y, z]. */
export interface VoxelBox {
  readonly offset: readonly [number, number, number];
  readonly size: readonly [number, number, number];
}

/** The axes of a series (a region drawn on them is axis-aligned in voxel space). */
export const axesOf = (g: VolumeGeometry): readonly [Vec3, Vec3, Vec3] => [g.rowDir, g.colDir, g.sliceDir];

/**
 * The series voxels that a cuboid region (centre, half extents in mm along `axes`) reads by trilinear interpolation,
 * plus `marginVoxels`, clipped to the grid; null when the region lies wholly outside the grid.
 */
export function voxelBoxOfRegion(
  series: VolumeGeometry,
  centreMm: Vec3,
  halfMm: Vec3,
  axes: readonly [Vec3, Vec3, Vec3] = axesOf(series),
  marginVoxels = 1,
): VoxelBox | null {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (const sx of [-1, 1])
    for (const sy of [-1, 1])
      for (const sz of [-1, 1]) {
        const corner = [0, 1, 2].map((c) => centreMm[c] + sx * halfMm[0] * axes[0][c] + sy * halfMm[1] * axes[1][c] + sz * halfMm[2] * axes[2][c]) as unknown as Vec3;
        const v = patientToVoxel(series, corner);
        for (let a = 0; a < 3; a++) (lo[a] = Math.min(lo[a], v[a])), (hi[a] = Math.max(hi[a], v[a]));
      }
  const offset = [0, 0, 0] as [number, number, number];
  const size = [0, 0, 0] as [number, number, number];
  for (let a = 0; a < 3; a++) {
    const first = Math.max(0, Math.floor(lo[a]) - marginVoxels);
    const last = Math.min(series.dims[a] - 1, Math.ceil(hi[a]) + marginVoxels);
    if (last < first) return null;
    offset[a] = first;
    size[a] = last - first + 1;
  }
  return { offset, size };
}

/**
 * Half extents (mm, along the series' axes) of what a model reads around its prompt: the VOI for a 3D model; for a
 * 2D model walking the slices (model-card.ts, slicePropagation) its widest slice grid in-plane and its longest walk
 * along the slices.
 */
export function modelReachHalfMm(card: ModelCard): Vec3 {
  const sp = card.input.slicePropagation;
  if (card.input.layout === 'NCHW' && sp) {
    const spacing = Math.max(sp.edgeMaxSpacingMm, sp.zoom.maxSpacingMm, card.input.spacingMm[0], card.input.spacingMm[1]);
    return [((card.input.sizeVoxels[0] - 1) / 2) * spacing, ((card.input.sizeVoxels[1] - 1) / 2) * spacing, sp.maxExtentMm];
  }
  return [0, 1, 2].map((a) => ((card.input.sizeVoxels[a] - 1) / 2) * card.input.spacingMm[a]) as unknown as Vec3;
}

/** The box a model reads around a prompt (model-input.ts: the VOI, or the slice grids, lie on the series' own axes). */
export function voiBox(series: VolumeGeometry, centreMm: Vec3, card: ModelCard): VoxelBox | null {
  return voxelBoxOfRegion(series, centreMm, modelReachHalfMm(card));
}

export function unionBox(a: VoxelBox, b: VoxelBox): VoxelBox {
  const offset = [0, 1, 2].map((i) => Math.min(a.offset[i], b.offset[i])) as [number, number, number];
  const end = [0, 1, 2].map((i) => Math.max(a.offset[i] + a.size[i], b.offset[i] + b.size[i]));
  return { offset, size: [end[0] - offset[0], end[1] - offset[1], end[2] - offset[2]] };
}

/** The box as a volume of its own: same spacing and axes, origin at the box's first voxel, voxels copied. */
export function cropVolume(volume: Volume, box: VoxelBox): Volume {
  const [nx, ny, nz] = volume.dims;
  const [w, h, d] = box.size;
  const [x0, y0, z0] = box.offset;
  if (![x0, y0, z0, w, h, d].every(Number.isInteger) || w < 1 || h < 1 || d < 1 || x0 < 0 || y0 < 0 || z0 < 0 || x0 + w > nx || y0 + h > ny || z0 + d > nz) {
    throw new DomainError('VALIDATION_FAILED', `crop box ${box.offset.join(',')} + ${box.size.join('x')} does not fit the volume ${nx}x${ny}x${nz}`);
  }
  const voxels = volume.voxels instanceof Int16Array ? new Int16Array(w * h * d) : new Float32Array(w * h * d);
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++) {
      const src = x0 + (y0 + y) * nx + (z0 + z) * nx * ny;
      voxels.set(volume.voxels.subarray(src, src + w), y * w + z * w * h);
    }
  return { ...geometryOfBox(volume, box), voxels };
}

/** The geometry of a box of a grid (a crop, or a lesion's bounding box). */
export function geometryOfBox(g: VolumeGeometry, box: VoxelBox): VolumeGeometry {
  return {
    dims: [box.size[0], box.size[1], box.size[2]],
    spacingMm: g.spacingMm,
    originMm: voxelToPatient(g, [box.offset[0], box.offset[1], box.offset[2]]),
    rowDir: g.rowDir,
    colDir: g.colDir,
    sliceDir: g.sliceDir,
  };
}
