import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { convexHull, type Point2 } from '../../src/domain/measurement/convex-hull.js';
import { measureLesionMask, measureMaskSlice } from '../../src/domain/measurement/lesion-measurement.js';
import { farthestPair } from '../../src/domain/measurement/rotating-calipers.js';
import { longestPerpendicularChord } from '../../src/domain/measurement/short-axis.js';
import { type Vec3, type VolumeGeometry, voxelToPatient } from '../../src/domain/volume.js';
import {
  allFaceCentresMm,
  axialGeometry,
  bruteForceDiameter,
  ellipseMask,
  ellipsoidMask,
} from './shapes.js';

const dist3 = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const dot3 = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub3 = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

function maskFromRows(rows: string[], g: VolumeGeometry, k = 0): Uint8Array {
  const [nx, ny, nz] = g.dims;
  const m = new Uint8Array(nx * ny * nz);
  rows.forEach((r, j) => [...r].forEach((ch, i) => (m[i + j * nx + k * nx * ny] = ch === '#' ? 1 : 0)));
  return m;
}

describe('rotating calipers and convex hull', () => {
  it('finds the farthest pair of random point sets, ties and collinear points included', () => {
    const pt = fc.tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 }));
    fc.assert(
      fc.property(fc.array(pt, { minLength: 1, maxLength: 40 }), fc.constantFrom<Point2>([1, 1], [0.5, 1.3], [2, 0.25]), (pts, scale) => {
        const hull = convexHull(pts);
        const got = farthestPair(hull, scale);
        const scaled = pts.map((p): Point2 => [p[0] * scale[0], p[1] * scale[1]]);
        expect(got.distance).toBeCloseTo(bruteForceDiameter(scaled), 9);
        const a = hull[got.from];
        const b = hull[got.to];
        expect(Math.hypot((a[0] - b[0]) * scale[0], (a[1] - b[1]) * scale[1])).toBeCloseTo(got.distance, 12);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps only strict corners, counter-clockwise', () => {
    const hull = convexHull([[0, 0], [2, 0], [4, 0], [4, 2], [4, 4], [2, 2], [0, 4], [0, 2], [4, 4]]);
    expect(hull).toEqual([[0, 0], [4, 0], [4, 4], [0, 4]]);
  });
});

describe('longestPerpendicularChord', () => {
  it.each([
    { name: 'square, long axis along its diagonal', poly: [[0, 0], [4, 0], [4, 4], [0, 4]], a: [0, 0], b: [4, 4], len: 4 * Math.SQRT2 },
    { name: 'rectangle 10x2 along its length: flat top, chord at mid', poly: [[0, 0], [10, 0], [10, 2], [0, 2]], a: [0, 1], b: [10, 1], len: 2 },
    { name: 'triangle: chord through the apex', poly: [[0, 0], [10, 0], [3, 4]], a: [0, 0], b: [10, 0], len: 4 },
  ] as { name: string; poly: Point2[]; a: Point2; b: Point2; len: number }[])('$name', ({ poly, a, b, len }) => {
    const c = longestPerpendicularChord(poly, a, b);
    expect(c.length).toBeCloseTo(len, 12);
    const d: Point2 = [c.to[0] - c.from[0], c.to[1] - c.from[1]];
    expect(d[0] * (b[0] - a[0]) + d[1] * (b[1] - a[1])).toBeCloseTo(0, 9);
  });

  it('places the chord of a flat-topped shape at the middle of the long axis', () => {
    const c = longestPerpendicularChord([[0, 0], [10, 0], [10, 2], [0, 2]], [0, 1], [10, 1]);
    expect(c.from[0]).toBeCloseTo(5, 12);
    expect(c.to[0]).toBeCloseTo(5, 12);
  });

  it('equals an independent brute force (upper minus lower envelope over all point pairs)', () => {
    const pt = fc.tuple(fc.integer({ min: -8, max: 8 }), fc.integer({ min: -8, max: 8 }));
    fc.assert(
      fc.property(fc.array(pt, { minLength: 3, maxLength: 25 }), (pts) => {
        const hull = convexHull(pts);
        if (hull.length < 3) return;
        const fp = farthestPair(hull);
        const a = hull[fp.from];
        const b = hull[fp.to];
        const len = fp.distance;
        const u: Point2 = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
        const ts = pts.map((p) => (p[0] - a[0]) * u[0] + (p[1] - a[1]) * u[1]);
        const ss = pts.map((p) => -(p[0] - a[0]) * u[1] + (p[1] - a[1]) * u[0]);
        let expected = 0;
        for (const t of ts) {
          let hi = -Infinity;
          let lo = Infinity;
          for (let p = 0; p < pts.length; p++)
            for (let q = 0; q < pts.length; q++) {
              if (ts[p] > t + 1e-9 || ts[q] < t - 1e-9) continue;
              const f = ts[q] - ts[p] < 1e-12 ? 0 : (t - ts[p]) / (ts[q] - ts[p]);
              const s = ss[p] + f * (ss[q] - ss[p]);
              hi = Math.max(hi, s);
              lo = Math.min(lo, s);
            }
          expected = Math.max(expected, hi - lo);
        }
        expect(longestPerpendicularChord(hull, a, b).length).toBeCloseTo(expected, 6);
      }),
      { numRuns: 200 },
    );
  });
});

describe('measureLesionMask on shapes with exact answers', () => {
  it.each([
    { sx: 1, sy: 1 },
    { sx: 0.5, sy: 1.25 },
    { sx: 1.4, sy: 0.6 },
  ])('a single pixel is a diamond: long axis max(sx, sy), short axis min (sx=$sx sy=$sy)', ({ sx, sy }) => {
    const g = axialGeometry([3, 3, 1], [sx, sy, 3]);
    const m = measureLesionMask(maskFromRows(['...', '.#.', '...'], g), g);
    expect(m.longAxis.lengthMm).toBeCloseTo(Math.max(sx, sy), 12);
    expect(m.shortAxis.lengthMm).toBeCloseTo(Math.min(sx, sy), 12);
    expect(m.volumeMm3).toBeCloseTo(sx * sy * 3, 12);
  });

  it.each([
    { n: 5, sx: 0.8, sy: 0.8 },
    { n: 7, sx: 0.5, sy: 1.5 },
    { n: 3, sx: 2, sy: 0.7 },
  ])('a row of $n pixels measures n*sx long and sy across (sx=$sx sy=$sy)', ({ n, sx, sy }) => {
    const g = axialGeometry([n + 2, 3, 1], [sx, sy, 1]);
    const m = measureLesionMask(maskFromRows(['.'.repeat(n + 2), '.' + '#'.repeat(n) + '.', '.'.repeat(n + 2)], g), g);
    expect(m.longAxis.lengthMm).toBeCloseTo(Math.max(n * sx, Math.hypot((n - 1) * sx, sy)), 12);
    expect(m.shortAxis.lengthMm).toBeCloseTo(sy, 12);
    // Endpoints at the outer face centres of the run: i = 0.5 and n + 0.5 on row 1.
    const ends = [m.longAxis.fromVoxel, m.longAxis.toVoxel].map((v) => v[0]).sort((p, q) => p - q);
    if (n * sx > Math.hypot((n - 1) * sx, sy)) expect(ends).toEqual([0.5, n + 0.5].map((x) => expect.closeTo(x, 9)));
  });

  it('a w x h rectangle: the longer of the two face-centre diagonals', () => {
    const [w, h, sx, sy] = [9, 4, 0.6, 1.1];
    const g = axialGeometry([w + 2, h + 2, 1], [sx, sy, 1]);
    const rows = ['.'.repeat(w + 2), ...Array.from({ length: h }, () => '.' + '#'.repeat(w) + '.'), '.'.repeat(w + 2)];
    const m = measureLesionMask(maskFromRows(rows, g), g);
    const expected = Math.max(Math.hypot(w * sx, (h - 1) * sy), Math.hypot((w - 1) * sx, h * sy));
    expect(m.longAxis.lengthMm).toBeCloseTo(expected, 12);
    expect(m.areaMm2).toBeCloseTo(w * h * sx * sy, 12);
  });

  const discCases = [
    { r: 10, sx: 0.7, sy: 0.7 },
    { r: 15, sx: 0.5, sy: 1.0 },
    { r: 6, sx: 1.0, sy: 0.4 },
    { r: 25, sx: 0.98, sy: 0.98 },
  ];
  it.each(discCases)('a disc of radius $r mm measures 2r ± one pixel both ways (sx=$sx sy=$sy)', ({ r, sx, sy }) => {
    const g = axialGeometry([Math.ceil((2 * r + 10) / sx), Math.ceil((2 * r + 10) / sy), 1], [sx, sy, 5]);
    const m = measureLesionMask(ellipseMask(g, { cxMm: r + 4.3, cyMm: r + 5.1, aMm: r, bMm: r, thetaRad: 0 }, [0]), g);
    const px = Math.max(sx, sy);
    expect(Math.abs(m.longAxis.lengthMm - 2 * r)).toBeLessThanOrEqual(px);
    expect(Math.abs(m.shortAxis.lengthMm - 2 * r)).toBeLessThanOrEqual(px);
    expect(Math.abs(m.areaMm2 - Math.PI * r * r) / (Math.PI * r * r)).toBeLessThan(0.05);
  });

  const ellipseCases = [0, 0.3, Math.PI / 4, 1.1, 2.0, 2.9].flatMap((theta) =>
    [
      { a: 20, b: 8, sx: 0.7, sy: 0.7 },
      { a: 20, b: 8, sx: 0.5, sy: 1.0 },
      { a: 9, b: 4, sx: 1.2, sy: 0.6 },
      { a: 30, b: 18, sx: 0.8, sy: 0.8 },
    ].map((c) => ({ ...c, theta })),
  );
  it.each(ellipseCases)(
    'a rotated ellipse a=$a b=$b theta=$theta (sx=$sx sy=$sy): long axis 2a, short axis 2b, both within one pixel, perpendicular',
    ({ a, b, sx, sy, theta }) => {
      const g = axialGeometry([Math.ceil((2 * a + 10) / sx), Math.ceil((2 * a + 10) / sy), 1], [sx, sy, 5]);
      const mask = ellipseMask(g, { cxMm: a + 5.2, cyMm: a + 4.6, aMm: a, bMm: b, thetaRad: theta }, [0]);
      const m = measureLesionMask(mask, g);
      const px = Math.max(sx, sy);
      expect(Math.abs(m.longAxis.lengthMm - 2 * a)).toBeLessThanOrEqual(px);
      expect(Math.abs(m.shortAxis.lengthMm - 2 * b)).toBeLessThanOrEqual(px);
      // Direction of the long axis near the true major axis (mod 180). The central chord of an ellipse at angle phi
      // from the major axis is about 2a(1 - phi^2 (a^2 - b^2) / 2b^2), so a boundary error of one pixel allows a tilt
      // of up to sqrt(2 px b^2 / (a (a^2 - b^2))): a blunt ellipse's long axis is ill-defined in direction, not length.
      const la = sub3(m.longAxis.toPatientMm, m.longAxis.fromPatientMm);
      const angle = Math.atan2(la[1], la[0]);
      const diff = Math.abs(((angle - theta + Math.PI / 2) % Math.PI + Math.PI) % Math.PI - Math.PI / 2);
      expect(diff).toBeLessThan(Math.sqrt((2 * px * b * b) / (a * (a * a - b * b))));
      // Short axis perpendicular to the long axis, and exact diameter of all boundary face centres.
      const sa = sub3(m.shortAxis.toPatientMm, m.shortAxis.fromPatientMm);
      expect(Math.abs(dot3(la, sa)) / (m.longAxis.lengthMm * m.shortAxis.lengthMm)).toBeLessThan(1e-9);
      expect(m.longAxis.lengthMm).toBeCloseTo(bruteForceDiameter(allFaceCentresMm(mask, g, 0)), 9);
    },
  );

  it('picks the axial slice where the long axis is greatest, and sums the volume', () => {
    const g = axialGeometry([60, 60, 15], [0.8, 0.8, 2.5]);
    const mask = ellipsoidMask(g, [24.1, 23.7, 17.4], [18, 11, 14]);
    const m = measureLesionMask(mask, g);
    // Centre at z = 17.4 mm -> k = 6.96: the slice nearest the equator is k = 7.
    expect(m.k).toBe(7);
    expect(m.slices.every((s) => s.longAxisMm <= m.longAxis.lengthMm)).toBe(true);
    expect(m.slices.map((s) => s.k)).toEqual([...m.slices.map((s) => s.k)].sort((p, q) => p - q));
    const count = mask.reduce((n, v) => n + v, 0);
    expect(m.voxelCount).toBe(count);
    expect(m.volumeMm3).toBeCloseTo(count * 0.8 * 0.8 * 2.5, 9);
    const analytic = (4 / 3) * Math.PI * 18 * 11 * 14;
    expect(Math.abs(m.volumeMm3 - analytic) / analytic).toBeLessThan(0.05);
    expect(m.slices.reduce((s, x) => s + x.areaMm2, 0) * 2.5).toBeCloseTo(m.volumeMm3, 6);
  });

  it('breaks ties between equally long slices by area, then by the lower k', () => {
    const g = axialGeometry([7, 3, 3], [1, 1, 1]);
    const m = new Uint8Array(7 * 3 * 3);
    const set = (i: number, j: number, k: number) => (m[i + j * 7 + k * 21] = 1);
    for (let i = 1; i <= 5; i++) set(i, 1, 0); // k=0: a 5-pixel row
    for (let i = 1; i <= 5; i++) set(i, 1, 1);
    set(3, 0, 1); // k=1: same length (5), larger area
    for (let i = 1; i <= 5; i++) set(i, 1, 2); // k=2: same as k=0
    expect(measureLesionMask(m, g).k).toBe(1);
    m[3 + 0 * 7 + 1 * 21] = 0;
    expect(measureLesionMask(m, g).k).toBe(0);
  });

  it('gives endpoints in patient coordinates through the volume orientation', () => {
    // A coronal-ish, flipped orientation: lengths must not change, endpoints must follow voxelToPatient.
    const base = axialGeometry([60, 40, 3], [0.6, 1.1, 4]);
    const g: VolumeGeometry = { ...base, rowDir: [0, 0, -1], colDir: [1, 0, 0], sliceDir: [0, -1, 0] };
    const mask = ellipseMask(g, { cxMm: 17, cyMm: 21, aMm: 14, bMm: 6, thetaRad: 0.7 }, [1]);
    const mA = measureLesionMask(mask, base);
    const mB = measureLesionMask(mask, g);
    expect(mB.longAxis.lengthMm).toBe(mA.longAxis.lengthMm);
    expect(mB.shortAxis.lengthMm).toBe(mA.shortAxis.lengthMm);
    for (const line of [mB.longAxis, mB.shortAxis]) {
      expect(line.fromPatientMm).toEqual(voxelToPatient(g, line.fromVoxel));
      expect(line.toPatientMm).toEqual(voxelToPatient(g, line.toVoxel));
      expect(dist3(line.fromPatientMm, line.toPatientMm)).toBeCloseTo(line.lengthMm, 9);
      expect(line.fromVoxel[2]).toBe(1);
    }
  });

  it('matches brute force over all face centres on random masks, slice by slice', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 10 * 9 * 3, maxLength: 10 * 9 * 3 }),
        fc.constantFrom<Vec3>([1, 1, 1], [0.7, 1.3, 2], [1.5, 0.5, 3]),
        (bytes, spacing) => {
          const g = axialGeometry([10, 9, 3], spacing);
          const mask = bytes.map((b) => (b < 90 ? 1 : 0));
          if (!mask.some((v) => v)) {
            expect(() => measureLesionMask(mask, g)).toThrow(DomainError);
            return;
          }
          const m = measureLesionMask(mask, g);
          for (const s of m.slices) {
            expect(s.longAxisMm).toBeCloseTo(bruteForceDiameter(allFaceCentresMm(mask, g, s.k)), 9);
          }
          expect(m.shortAxis.lengthMm).toBeLessThanOrEqual(m.longAxis.lengthMm + 1e-9);
          expect(measureMaskSlice(mask, g, m.k)).toMatchObject({ longAxis: m.longAxis, shortAxis: m.shortAxis });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses an empty mask, an empty slice, a mask of the wrong size and a bad spacing', () => {
    const g = axialGeometry([4, 4, 2], [1, 1, 1]);
    const empty = new Uint8Array(32);
    expect(() => measureLesionMask(empty, g)).toThrow(expect.objectContaining({ code: 'UNPROCESSABLE' }));
    expect(() => measureMaskSlice(empty, g, 1)).toThrow(expect.objectContaining({ code: 'UNPROCESSABLE' }));
    expect(() => measureMaskSlice(empty, g, 2)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => measureLesionMask(new Uint8Array(31), g)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    const one = new Uint8Array(32);
    one[5] = 1;
    expect(() => measureLesionMask(one, { ...g, spacingMm: [0, 1, 1] })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('measures a 100x100x40 mask in well under 100 ms', () => {
    const g = axialGeometry([100, 100, 40], [0.7, 0.7, 2.5]);
    const mask = ellipsoidMask(g, [35, 35, 50], [30, 22, 45]);
    measureLesionMask(mask, g); // warm-up (JIT)
    const t0 = performance.now();
    const runs = 5;
    for (let r = 0; r < runs; r++) measureLesionMask(mask, g);
    const ms = (performance.now() - t0) / runs;
    console.log(`measureLesionMask 100x100x40 ellipsoid: ${ms.toFixed(2)} ms per call`);
    expect(ms).toBeLessThan(50);
  });
});
