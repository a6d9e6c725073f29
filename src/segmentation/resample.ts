// Trilinear resampling between two voxel grids that live in the same patient space. The map from one grid's voxel
// index to the other's is affine (both are regular grids with orthonormal axes, volume.ts), so it is computed once
// from the geometry and stepped incrementally.
import { type Vec3, type VolumeGeometry, patientToVoxel, voxelToPatient } from '../domain/volume.js';

/** to-index = origin + i*di + j*dj + k*dk for from-index (i, j, k) */
export interface IndexAffine {
  readonly origin: Vec3;
  readonly di: Vec3;
  readonly dj: Vec3;
  readonly dk: Vec3;
}

export function indexAffine(from: VolumeGeometry, to: VolumeGeometry): IndexAffine {
  const at = (v: Vec3) => patientToVoxel(to, voxelToPatient(from, v));
  const o = at([0, 0, 0]);
  const sub = (a: Vec3): Vec3 => [a[0] - o[0], a[1] - o[1], a[2] - o[2]];
  return { origin: o, di: sub(at([1, 0, 0])), dj: sub(at([0, 1, 0])), dk: sub(at([0, 0, 1])) };
}

export function applyIndexAffine(a: IndexAffine, v: Vec3): Vec3 {
  return [0, 1, 2].map((c) => a.origin[c] + v[0] * a.di[c] + v[1] * a.dj[c] + v[2] * a.dk[c]) as unknown as Vec3;
}

export type Edge =
  /** replicate the nearest edge voxel: for images, so a VOI past the scan's end sees no artificial boundary */
  | { readonly kind: 'clamp' }
  /** a constant outside: for probabilities, which are zero outside the VOI */
  | { readonly kind: 'constant'; readonly value: number };

type Samples = ArrayLike<number>;

/** Trilinear sample of data (x fastest) at continuous index (x, y, z). */
export function sampleTrilinear(data: Samples, dims: readonly [number, number, number], x: number, y: number, z: number, edge: Edge): number {
  const [nx, ny, nz] = dims;
  if (edge.kind === 'constant' && (x < -0.5 || y < -0.5 || z < -0.5 || x > nx - 0.5 || y > ny - 0.5 || z > nz - 0.5)) {
    return edge.value;
  }
  // clamp into the grid so that a point within half a voxel of the edge takes the edge value
  const cx = x < 0 ? 0 : x > nx - 1 ? nx - 1 : x;
  const cy = y < 0 ? 0 : y > ny - 1 ? ny - 1 : y;
  const cz = z < 0 ? 0 : z > nz - 1 ? nz - 1 : z;
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const z0 = Math.floor(cz);
  const x1 = x0 + 1 < nx ? x0 + 1 : x0;
  const y1 = y0 + 1 < ny ? y0 + 1 : y0;
  const z1 = z0 + 1 < nz ? z0 + 1 : z0;
  const fx = cx - x0;
  const fy = cy - y0;
  const fz = cz - z0;
  const nxy = nx * ny;
  const a = z0 * nxy;
  const b = z1 * nxy;
  const r00 = y0 * nx;
  const r10 = y1 * nx;
  const c000 = data[x0 + r00 + a];
  const c100 = data[x1 + r00 + a];
  const c010 = data[x0 + r10 + a];
  const c110 = data[x1 + r10 + a];
  const c001 = data[x0 + r00 + b];
  const c101 = data[x1 + r00 + b];
  const c011 = data[x0 + r10 + b];
  const c111 = data[x1 + r10 + b];
  const c00 = c000 + (c100 - c000) * fx;
  const c10 = c010 + (c110 - c010) * fx;
  const c01 = c001 + (c101 - c001) * fx;
  const c11 = c011 + (c111 - c011) * fx;
  const c0 = c00 + (c10 - c00) * fy;
  const c1 = c01 + (c11 - c01) * fy;
  return c0 + (c1 - c0) * fz;
}

/**
 * Samples `src` at every voxel of a box of the destination grid: destination voxels offset + [0, size) along each
 * axis, `toSrc` mapping destination index to source index. Returns size[0]*size[1]*size[2] values, x fastest.
 */
export function resampleBox(
  src: Samples,
  srcDims: readonly [number, number, number],
  toSrc: IndexAffine,
  offset: readonly [number, number, number],
  size: readonly [number, number, number],
  edge: Edge,
): Float32Array {
  const [w, h, d] = size;
  const out = new Float32Array(w * h * d);
  const { origin: o, di, dj, dk } = toSrc;
  let v = 0;
  for (let k = 0; k < d; k++) {
    const kk = k + offset[2];
    for (let j = 0; j < h; j++) {
      const jj = j + offset[1];
      let x = o[0] + offset[0] * di[0] + jj * dj[0] + kk * dk[0];
      let y = o[1] + offset[0] * di[1] + jj * dj[1] + kk * dk[1];
      let z = o[2] + offset[0] * di[2] + jj * dj[2] + kk * dk[2];
      for (let i = 0; i < w; i++, v++) {
        out[v] = sampleTrilinear(src, srcDims, x, y, z, edge);
        x += di[0];
        y += di[1];
        z += di[2];
      }
    }
  }
  return out;
}
