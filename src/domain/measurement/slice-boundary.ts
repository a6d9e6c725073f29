// Boundary points of one axial slice of a binary mask, in half-voxel integer units: the point (2i+1, 2j) is the centre
// of the face shared by pixels (i, j) and (i+1, j). Boundary convention: face centres, i.e. the vertices marching
// squares places on a binary mask at iso-level 0.5, halfway between an inside and an outside pixel centre. See the
// header of lesion-measurement.ts for why this is the convention used.
//
// Only row and column extremes are returned: every other boundary face centre lies on the segment between the
// extremes of its row (faces between horizontal neighbours) or of its column (faces between vertical neighbours), so
// the convex hull of the extremes equals the convex hull of all boundary face centres. At most 2*(nx+ny) points.
import { type Point2 } from './convex-hull.js';

export interface SliceBoundary {
  /** half-voxel integer coordinates (2i, 2j) of the extreme boundary face centres */
  readonly points: Point2[];
  readonly pixelCount: number;
}

export function sliceBoundary(mask: Uint8Array, nx: number, ny: number, k: number): SliceBoundary {
  const base = k * nx * ny;
  const colMin = new Int32Array(nx).fill(-1);
  const colMax = new Int32Array(nx).fill(-1);
  const points: Point2[] = [];
  let pixelCount = 0;
  for (let j = 0; j < ny; j++) {
    const row = base + j * nx;
    let iMin = -1;
    let iMax = -1;
    for (let i = 0; i < nx; i++) {
      if (mask[row + i] === 0) continue;
      pixelCount++;
      if (iMin < 0) iMin = i;
      iMax = i;
      if (colMin[i] < 0) colMin[i] = j;
      colMax[i] = j;
    }
    if (iMin >= 0) points.push([2 * iMin - 1, 2 * j], [2 * iMax + 1, 2 * j]);
  }
  for (let i = 0; i < nx; i++) {
    if (colMin[i] >= 0) points.push([2 * i, 2 * colMin[i] - 1], [2 * i, 2 * colMax[i] + 1]);
  }
  return { points, pixelCount };
}
