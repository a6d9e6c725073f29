// Analytic test shapes rasterised onto a voxel grid: a voxel is inside when its centre is inside the shape.
import { type Vec3, type VolumeGeometry } from '../../src/domain/volume.js';

export function axialGeometry(dims: readonly [number, number, number], spacingMm: Vec3): VolumeGeometry {
  return { dims, spacingMm, originMm: [-100, -120, 40], rowDir: [1, 0, 0], colDir: [0, 1, 0], sliceDir: [0, 0, 1] };
}

/** Ellipse (semi-axes a along angle theta, b across it; mm) centred at (cx, cy) mm in-plane, on the given slices. */
export function ellipseMask(
  g: VolumeGeometry,
  e: { cxMm: number; cyMm: number; aMm: number; bMm: number; thetaRad: number },
  slices: readonly number[],
): Uint8Array {
  const [nx, ny, nz] = g.dims;
  const [sx, sy] = g.spacingMm;
  const mask = new Uint8Array(nx * ny * nz);
  const c = Math.cos(e.thetaRad);
  const s = Math.sin(e.thetaRad);
  for (const k of slices) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const dx = i * sx - e.cxMm;
        const dy = j * sy - e.cyMm;
        const u = dx * c + dy * s;
        const v = -dx * s + dy * c;
        if ((u / e.aMm) ** 2 + (v / e.bMm) ** 2 <= 1) mask[i + j * nx + k * nx * ny] = 1;
      }
    }
  }
  return mask;
}

/** Ellipsoid with semi-axes (a, b, c) mm along (x, y, z), centred at c mm. */
export function ellipsoidMask(g: VolumeGeometry, centreMm: Vec3, semiAxesMm: Vec3): Uint8Array {
  const [nx, ny, nz] = g.dims;
  const [sx, sy, sz] = g.spacingMm;
  const mask = new Uint8Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const x = (i * sx - centreMm[0]) / semiAxesMm[0];
        const y = (j * sy - centreMm[1]) / semiAxesMm[1];
        const z = (k * sz - centreMm[2]) / semiAxesMm[2];
        if (x * x + y * y + z * z <= 1) mask[i + j * nx + k * nx * ny] = 1;
      }
  return mask;
}

/** Every face-centre boundary point of slice k, in mm (brute force, for cross-checks). */
export function allFaceCentresMm(mask: Uint8Array, g: VolumeGeometry, k: number): [number, number][] {
  const [nx, ny] = g.dims;
  const [sx, sy] = g.spacingMm;
  const at = (i: number, j: number) =>
    i >= 0 && j >= 0 && i < nx && j < ny && mask[i + j * nx + k * nx * ny] !== 0;
  const out: [number, number][] = [];
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      if (!at(i, j)) continue;
      if (!at(i - 1, j)) out.push([(i - 0.5) * sx, j * sy]);
      if (!at(i + 1, j)) out.push([(i + 0.5) * sx, j * sy]);
      if (!at(i, j - 1)) out.push([i * sx, (j - 0.5) * sy]);
      if (!at(i, j + 1)) out.push([i * sx, (j + 0.5) * sy]);
    }
  return out;
}

export function bruteForceDiameter(points: readonly (readonly [number, number])[]): number {
  let best = 0;
  for (let a = 0; a < points.length; a++)
    for (let b = a + 1; b < points.length; b++)
      best = Math.max(best, Math.hypot(points[a][0] - points[b][0], points[a][1] - points[b][1]));
  return best;
}
