// A segmented lesion is a small box of a series' voxel grid (LesionMask). These are the platform's views of it on the
// whole series without materialising the grid: moved between a crop and the series, measured (src/domain/measurement,
// with endpoints on the series grid and in patient coordinates), and run-length encoded (src/domain/mask).
import { type RleMask, decodeMaskRleSlab, encodeMaskBoxRle } from '../domain/mask/index.js';
import { type CaliperLine, type LesionMeasurement, measureLesionMask } from '../domain/measurement/index.js';
import { type Vec3, type VolumeGeometry, voxelToPatient } from '../domain/volume.js';
import type { LesionMask } from './segment-lesion.js';
import { geometryOfBox } from './volume-crop.js';

/** The same mask with its offset moved by `by` voxels (crop grid -> series grid: by = the crop's offset). */
export function shiftLesionMask(mask: LesionMask, by: readonly [number, number, number]): LesionMask {
  return { ...mask, offset: [mask.offset[0] + by[0], mask.offset[1] + by[1], mask.offset[2] + by[2]] };
}

const plus = (v: Vec3, o: readonly [number, number, number]): Vec3 => [v[0] + o[0], v[1] + o[1], v[2] + o[2]];

/**
 * Measures the lesion on its own box and reports every index on the series grid (k: the series slice; voxel
 * endpoints: series indices, and patient coordinates). Throws UNPROCESSABLE on an empty mask.
 */
export function measureLesionOnSeries(series: VolumeGeometry, mask: LesionMask): LesionMeasurement {
  const m = measureLesionMask(mask.data, geometryOfBox(series, { offset: mask.offset, size: mask.dims }));
  const o = mask.offset;
  const line = (l: CaliperLine): CaliperLine => {
    const fromVoxel = plus(l.fromVoxel, o);
    const toVoxel = plus(l.toVoxel, o);
    // patient positions from the series grid itself, so they equal a whole-grid measurement to the last bit
    return { lengthMm: l.lengthMm, fromVoxel, toVoxel, fromPatientMm: voxelToPatient(series, fromVoxel), toPatientMm: voxelToPatient(series, toVoxel) };
  };
  return {
    ...m,
    k: m.k + o[2],
    longAxis: line(m.longAxis),
    shortAxis: line(m.shortAxis),
    slices: m.slices.map((s) => ({ ...s, k: s.k + o[2] })),
  };
}

/** The lesion's run-length encoding on the whole series grid (what the platform stores and serves). */
export function encodeLesionOnSeries(series: VolumeGeometry, mask: LesionMask): RleMask {
  return encodeMaskBoxRle(mask.data, mask.dims, mask.offset, series.dims);
}

/** The stored encoding back as a lesion box (its bounding box on the series grid); an empty mask gives size 0. */
export function lesionMaskFromRle(rle: RleMask): LesionMask {
  const { firstSlice, depth, voxels } = decodeMaskRleSlab(rle);
  const [nx, ny] = rle.dims;
  let x0 = nx, y0 = ny, x1 = -1, y1 = -1;
  for (let z = 0; z < depth; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++)
        if (voxels[x + y * nx + z * nx * ny]) (x0 = Math.min(x0, x)), (x1 = Math.max(x1, x)), (y0 = Math.min(y0, y)), (y1 = Math.max(y1, y));
  if (x1 < 0) return { offset: [0, 0, 0], dims: [0, 0, 0], data: new Uint8Array(0) };
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const data = new Uint8Array(w * h * depth);
  for (let z = 0; z < depth; z++)
    for (let y = 0; y < h; y++) {
      const src = x0 + (y0 + y) * nx + z * nx * ny;
      data.set(voxels.subarray(src, src + w), y * w + z * w * h);
    }
  return { offset: [x0, y0, firstSlice], dims: [w, h, depth], data };
}

/** One slice k (series index) of an encoded mask, nx*ny voxels (all zero outside the stored range). */
export function maskSliceFromRle(rle: RleMask, k: number): Uint8Array {
  const { firstSlice, depth, voxels } = decodeMaskRleSlab(rle);
  const plane = rle.dims[0] * rle.dims[1];
  if (k < firstSlice || k >= firstSlice + depth) return new Uint8Array(plane);
  return voxels.slice((k - firstSlice) * plane, (k - firstSlice + 1) * plane);
}
