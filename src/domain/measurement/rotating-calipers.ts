// Farthest pair of a convex polygon by rotating calipers (Shamos 1978): O(h) over the hull's antipodal pairs instead of
// O(h^2) over all pairs. `scale` maps hull coordinates to millimetres per axis (anisotropic pixels); orientation tests
// run on the unscaled coordinates, which a positive axis scaling leaves unchanged in sign, so integer hulls stay exact.
import { type Point2 } from './convex-hull.js';

export interface FarthestPair {
  /** indices into the hull */
  readonly from: number;
  readonly to: number;
  readonly distance: number;
}

export function farthestPair(hull: readonly Point2[], scale: Point2 = [1, 1]): FarthestPair {
  const n = hull.length;
  if (n === 0) throw new RangeError('farthestPair: empty hull');
  const dist = (a: number, b: number) =>
    Math.hypot((hull[a][0] - hull[b][0]) * scale[0], (hull[a][1] - hull[b][1]) * scale[1]);
  if (n === 1) return { from: 0, to: 0, distance: 0 };
  if (n === 2) return { from: 0, to: 1, distance: dist(0, 1) };
  // Edge-direction cross product: > 0 while vertex j+1 is farther from edge (i, i+1) than vertex j.
  const edgeCross = (i: number, j: number) => {
    const i1 = (i + 1) % n;
    const j1 = (j + 1) % n;
    return (
      (hull[i1][0] - hull[i][0]) * (hull[j1][1] - hull[j][1]) - (hull[i1][1] - hull[i][1]) * (hull[j1][0] - hull[j][0])
    );
  };
  let best: FarthestPair = { from: 0, to: 1, distance: dist(0, 1) };
  const consider = (a: number, b: number) => {
    const d = dist(a, b);
    if (d > best.distance) best = { from: a, to: b, distance: d };
  };
  let j = 1;
  for (let i = 0; i < n; i++) {
    // j only moves forward: over the whole loop it travels at most twice around the polygon.
    let guard = 0;
    while (edgeCross(i, j) > 0 && guard++ < n) j = (j + 1) % n;
    consider(i, j);
    consider((i + 1) % n, j);
  }
  return best;
}
