// pyradiomics' shape feature Maximum2DDiameterSlice, reproduced exactly: the largest pairwise distance between vertices
// of the marching-cubes mesh that share an axial coordinate (pyradiomics cshape.c, calculate_meshDiameter, comparing
// vertices with equal z). A binary mask's mesh has its vertices halfway along voxel edges, so its axial planes are:
//   - z = k (acquired slices): vertices at in-plane face centres, the same points lesion-measurement.ts uses;
//   - z = k + 1/2 (between slices): vertices at pixel centres (i, j) where the mask differs between slices k and k+1
//     (the caps of the mesh, including above the top and below the bottom slice of the lesion).
// The second kind mixes pixels of two different images, which no reader could measure with calipers, so the RECIST
// measurement (measureLesionMask) uses acquired slices only; this function exists to check our geometry against
// pyradiomics' published baseline and to report a radiomics-comparable value when one is asked for.
import { assertMaskFits } from '../mask/binary-mask.js';
import { type VolumeGeometry } from '../volume.js';
import { type Point2, convexHull } from './convex-hull.js';
import { farthestPair } from './rotating-calipers.js';
import { sliceBoundary } from './slice-boundary.js';

export interface MeshPlaneDiameter {
  readonly diameterMm: number;
  /** axial plane, in slice index units: an integer for an acquired slice, k + 0.5 for the plane between k and k+1 */
  readonly planeK: number;
}

export function meshPlaneMaximumDiameter(mask: Uint8Array, geometry: VolumeGeometry): MeshPlaneDiameter {
  assertMaskFits(mask, geometry.dims);
  const [nx, ny, nz] = geometry.dims;
  const scale: Point2 = [geometry.spacingMm[0] / 2, geometry.spacingMm[1] / 2];
  let best: MeshPlaneDiameter = { diameterMm: 0, planeK: 0 };
  const consider = (points: Point2[], planeK: number) => {
    if (points.length === 0) return;
    const d = farthestPair(convexHull(points), scale).distance;
    if (d > best.diameterMm) best = { diameterMm: d, planeK };
  };
  const plane = nx * ny;
  for (let k = -1; k < nz; k++) {
    if (k >= 0) consider(sliceBoundary(mask, nx, ny, k).points, k);
    // Between k and k+1 (outside the grid counts as background, as pyradiomics pads the mask with zeros).
    const points: Point2[] = [];
    for (let j = 0; j < ny; j++) {
      let iMin = -1;
      let iMax = -1;
      for (let i = 0; i < nx; i++) {
        const v = i + j * nx;
        const below = k >= 0 ? mask[v + k * plane] !== 0 : false;
        const above = k + 1 < nz ? mask[v + (k + 1) * plane] !== 0 : false;
        if (below === above) continue;
        if (iMin < 0) iMin = i;
        iMax = i;
      }
      // Every changed pixel of a row lies between the row's extremes, so they carry the hull.
      if (iMin >= 0) points.push([2 * iMin, 2 * j], [2 * iMax, 2 * j]);
    }
    consider(points, k + 0.5);
  }
  return best;
}
