// Keeps one 6-connected component of a 3D binary mask (face neighbours only, so components touching at an edge or a
// corner stay apart, as they do in the voxel-count volume). A segmentation model prompted at a lesion may also label
// other structures; the lesion is the component holding the prompt voxel, or, when the prompt fell just outside the
// predicted mask, the component nearest to it. Without a prompt, the largest component.
import { DomainError } from '../errors.js';
import { type Vec3 } from '../volume.js';
import { type MaskDims, assertMaskFits } from './binary-mask.js';

export interface ComponentChoice {
  /** the kept component (0/1), same grid */
  readonly mask: Uint8Array;
  readonly voxelCount: number;
  /** number of 6-connected components in the input */
  readonly componentCount: number;
  /** whether the prompt voxel lies inside the kept component */
  readonly containsSeed: boolean;
}

/**
 * @param seed prompt voxel (i, j, k), rounded to the nearest voxel; null/undefined keeps the largest component
 * @param spacingMm when given, "nearest" is measured in millimetres rather than voxel steps (anisotropic CT)
 * Ties (equal distance, or equal size without a seed) go to the larger component, then the one met first in voxel order.
 */
export function selectConnectedComponent(
  mask: Uint8Array,
  dims: MaskDims,
  seed?: Vec3 | null,
  spacingMm: Vec3 = [1, 1, 1],
): ComponentChoice {
  assertMaskFits(mask, dims);
  if (!spacingMm.every((v) => Number.isFinite(v) && v > 0)) {
    throw new DomainError('VALIDATION_FAILED', `voxel spacing must be positive, got ${spacingMm.join(', ')}`);
  }
  if (seed && !seed.every(Number.isFinite)) throw new DomainError('VALIDATION_FAILED', 'prompt voxel must be finite');
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  // Work inside the mask's bounding box: a lesion occupies a tiny part of a CT grid.
  let x0 = nx, y0 = ny, z0 = nz, x1 = -1, y1 = -1, z1 = -1;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) {
      const row = k * plane + j * nx;
      for (let i = 0; i < nx; i++) {
        if (mask[row + i] === 0) continue;
        if (i < x0) x0 = i;
        if (i > x1) x1 = i;
        if (j < y0) y0 = j;
        if (j > y1) y1 = j;
        if (k < z0) z0 = k;
        if (k > z1) z1 = k;
      }
    }
  const out = new Uint8Array(mask.length);
  if (x1 < 0) return { mask: out, voxelCount: 0, componentCount: 0, containsSeed: false };
  const bx = x1 - x0 + 1;
  const by = y1 - y0 + 1;
  const bz = z1 - z0 + 1;
  const bplane = bx * by;
  const label = new Int32Array(bx * by * bz); // 0 = background or unvisited
  const queue = new Int32Array(bx * by * bz);
  const s = seed ? seed.map(Math.round) : null;
  const [sx, sy, sz] = spacingMm;
  interface Component { id: number; size: number; distance: number }
  const components: Component[] = [];
  for (let start = 0; start < label.length; start++) {
    const si = start % bx;
    const sj = Math.floor(start / bx) % by;
    const sk = Math.floor(start / bplane);
    if (label[start] !== 0 || mask[(sk + z0) * plane + (sj + y0) * nx + si + x0] === 0) continue;
    const id = components.length + 1;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    label[start] = id;
    let distance = Infinity;
    while (head < tail) {
      const b = queue[head++];
      const i = b % bx;
      const j = Math.floor(b / bx) % by;
      const k = Math.floor(b / bplane);
      if (s) {
        const d = Math.hypot((i + x0 - s[0]) * sx, (j + y0 - s[1]) * sy, (k + z0 - s[2]) * sz);
        if (d < distance) distance = d;
      }
      const visit = (nb: number, ni: number, nj: number, nk: number) => {
        if (label[nb] === 0 && mask[(nk + z0) * plane + (nj + y0) * nx + ni + x0] !== 0) {
          label[nb] = id;
          queue[tail++] = nb;
        }
      };
      if (i > 0) visit(b - 1, i - 1, j, k);
      if (i < bx - 1) visit(b + 1, i + 1, j, k);
      if (j > 0) visit(b - bx, i, j - 1, k);
      if (j < by - 1) visit(b + bx, i, j + 1, k);
      if (k > 0) visit(b - bplane, i, j, k - 1);
      if (k < bz - 1) visit(b + bplane, i, j, k + 1);
    }
    components.push({ id, size: tail, distance: s ? distance : 0 });
  }
  let best = components[0];
  for (const c of components.slice(1)) {
    if (c.distance < best.distance || (c.distance === best.distance && c.size > best.size)) best = c;
  }
  for (let b = 0; b < label.length; b++) {
    if (label[b] !== best.id) continue;
    const i = b % bx;
    const j = Math.floor(b / bx) % by;
    const k = Math.floor(b / bplane);
    out[(k + z0) * plane + (j + y0) * nx + i + x0] = 1;
  }
  return { mask: out, voxelCount: best.size, componentCount: components.length, containsSeed: s !== null && best.distance === 0 };
}

/**
 * The component containing (or nearest to) the prompt voxel; the largest component without a prompt.
 * Named for the segmentation pipeline's step; see selectConnectedComponent for the details and tie rules.
 */
export function largestConnectedComponent(
  mask: Uint8Array,
  dims: MaskDims,
  seed?: Vec3 | null,
  spacingMm?: Vec3,
): Uint8Array {
  return selectConnectedComponent(mask, dims, seed, spacingMm).mask;
}
