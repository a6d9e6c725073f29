// Short axis: the longest chord of a convex polygon perpendicular to a given long axis. RECIST 1.1 (Eisenhauer 2009,
// section 3.1.1; lymph nodes) defines a node's short axis as "the longest diameter perpendicular to the long axis" in
// the same plane. Implemented definition: among all lines perpendicular to the long axis, the greatest length of the
// line's intersection with the convex hull of the lesion's in-plane boundary points. Because the long axis is the hull's
// diameter, every hull point projects inside it, so every such chord crosses the long axis.
//
// The chord length L(t), as a function of position t along the long axis, is concave and piecewise linear with
// breakpoints at the hull vertices' projections, so its maximum is attained at a vertex projection: evaluating the chord
// there is exact. Where L is flat at its maximum (rectangle-like shapes), the chord nearest the long axis midpoint is
// chosen so the drawn cross sits in the middle, as a reader would place it.
// For a lobulated or multi-part cross-section the chord spans the hull, as a caliper laid across the whole lesion does,
// and may cross background; the long axis (the hull's diameter) behaves the same way, as in pyradiomics.
import { type Point2 } from './convex-hull.js';

export interface Chord {
  readonly from: Point2;
  readonly to: Point2;
  readonly length: number;
}

/** Intersection of the line {p : (p - origin)·u = t} with a convex polygon; null when the line misses it. */
function chordAt(polygon: readonly Point2[], origin: Point2, u: Point2, t: number): Chord | null {
  const nrm: Point2 = [-u[1], u[0]];
  let lo = Infinity;
  let hi = -Infinity;
  const n = polygon.length;
  const tOf = (p: Point2) => (p[0] - origin[0]) * u[0] + (p[1] - origin[1]) * u[1];
  const sOf = (p: Point2) => (p[0] - origin[0]) * nrm[0] + (p[1] - origin[1]) * nrm[1];
  for (let e = 0; e < n; e++) {
    const p = polygon[e];
    const q = polygon[(e + 1) % n];
    const tp = tOf(p);
    const tq = tOf(q);
    if (tp === t) {
      const s = sOf(p);
      lo = Math.min(lo, s);
      hi = Math.max(hi, s);
    }
    if ((tp < t && tq > t) || (tp > t && tq < t)) {
      const f = (t - tp) / (tq - tp);
      const s = sOf(p) + f * (sOf(q) - sOf(p));
      lo = Math.min(lo, s);
      hi = Math.max(hi, s);
    }
  }
  if (lo > hi) return null;
  const at = (s: number): Point2 => [origin[0] + t * u[0] + s * nrm[0], origin[1] + t * u[1] + s * nrm[1]];
  return { from: at(lo), to: at(hi), length: hi - lo };
}

/**
 * Longest chord of `polygon` (convex, vertices in order, millimetres) perpendicular to the segment longFrom→longTo.
 * Vertices are snapped onto their own projection so that a vertex lying exactly on the probing line is found even
 * when floating point puts its projection a hair off.
 */
export function longestPerpendicularChord(polygon: readonly Point2[], longFrom: Point2, longTo: Point2): Chord {
  const dx = longTo[0] - longFrom[0];
  const dy = longTo[1] - longFrom[1];
  const len = Math.hypot(dx, dy);
  if (polygon.length === 0) throw new RangeError('longestPerpendicularChord: empty polygon');
  if (len === 0) return { from: polygon[0], to: polygon[0], length: 0 };
  const u: Point2 = [dx / len, dy / len];
  const ts = polygon.map((p) => (p[0] - longFrom[0]) * u[0] + (p[1] - longFrom[1]) * u[1]);
  const chords: { t: number; chord: Chord }[] = [];
  for (const t of ts) {
    const chord = chordAt(polygon, longFrom, u, t);
    if (chord) chords.push({ t, chord });
  }
  let maxLen = 0;
  for (const c of chords) maxLen = Math.max(maxLen, c.chord.length);
  // Maximisers form an interval [tLo, tHi] of t (concavity); put the chord as close to the middle as it allows.
  const eps = 1e-9 * Math.max(1, maxLen);
  let tLo = Infinity;
  let tHi = -Infinity;
  for (const c of chords) {
    if (c.chord.length >= maxLen - eps) {
      tLo = Math.min(tLo, c.t);
      tHi = Math.max(tHi, c.t);
    }
  }
  const tMid = Math.min(Math.max(len / 2, tLo), tHi);
  const best = chordAt(polygon, longFrom, u, tMid);
  if (best && best.length >= maxLen - eps) return best;
  // tMid fell between two vertex projections on a flat top where rounding shaved the chord: use a maximiser directly.
  return chords.find((c) => c.chord.length === maxLen)!.chord;
}
