// Convex hull of planar points (Andrew's monotone chain). Collinear points are dropped, so every returned vertex is
// a strict corner; the hull is counter-clockwise in a right-handed (x right, y up) frame. With integer inputs the
// orientation tests are exact, which is why lesion measurement hulls half-voxel integer coordinates and scales after
// (an axis-aligned scaling maps a hull onto the hull of the scaled points).
export type Point2 = readonly [number, number];

export function cross(o: Point2, a: Point2, b: Point2): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

export function convexHull(points: readonly Point2[]): Point2[] {
  const sorted = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const unique: Point2[] = [];
  for (const p of sorted) {
    const last = unique[unique.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) unique.push(p);
  }
  if (unique.length <= 2) return unique;
  const lower: Point2[] = [];
  for (const p of unique) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point2[] = [];
  for (let i = unique.length - 1; i >= 0; i--) {
    const p = unique[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  const hull = lower.concat(upper);
  // All points collinear: the chain collapses to the two extremes.
  return hull.length >= 2 ? hull : unique.slice(0, 1);
}
