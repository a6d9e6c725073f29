import { describe, expect, it } from 'vitest';
import {
  checkBidimensional,
  drawnLineFromVoxels,
  drawnLineLengthMm,
  type DrawnLine,
} from '../../src/domain/measurement/drawn-line.js';
import { type Vec3, type VolumeGeometry } from '../../src/domain/volume.js';

const line = (from: Vec3, to: Vec3): DrawnLine => ({ fromPatientMm: from, toPatientMm: to });

describe('reader-drawn lines', () => {
  it.each([
    { from: [0, 0, 0], to: [3, 4, 0], mm: 5 },
    { from: [-10.5, 20, 7], to: [-10.5, 20, 7], mm: 0 },
    { from: [1, 2, 3], to: [2, 4, 5], mm: 3 },
  ] as { from: Vec3; to: Vec3; mm: number }[])('$from -> $to is $mm mm', ({ from, to, mm }) => {
    expect(drawnLineLengthMm(line(from, to))).toBeCloseTo(mm, 12);
  });

  it('converts voxel coordinates through anisotropic spacing and orientation', () => {
    const g: VolumeGeometry = {
      dims: [512, 512, 40],
      spacingMm: [0.6, 0.9, 5],
      originMm: [-150, 80, -300],
      rowDir: [1, 0, 0],
      colDir: [0, -1, 0],
      sliceDir: [0, 0, -1],
    };
    // 30 columns and 40 rows: 18 mm along rowDir, 36 mm along colDir.
    const l = drawnLineFromVoxels(g, [100, 200, 7], [130, 240, 7]);
    expect(drawnLineLengthMm(l)).toBeCloseTo(Math.hypot(18, 36), 12);
    expect(l.fromPatientMm).toEqual([-150 + 60, 80 - 180, -300 - 35]);
  });

  it('refuses non-finite coordinates', () => {
    expect(() => drawnLineLengthMm(line([0, Number.NaN, 0], [1, 1, 1]))).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});

describe('checkBidimensional (long and short axis drawn by a reader)', () => {
  const long = line([0, 0, 10], [20, 0, 10]);
  it.each([
    { name: 'exactly perpendicular, crossing', short: line([8, -4, 10], [8, 5, 10]), angle: 90, perpendicular: true, gap: 0 },
    { name: '4 degrees off: within the default 5', short: line([8, -5, 10], [8 + 10 * Math.tan((4 * Math.PI) / 180), 5, 10]), angle: 86, perpendicular: true, gap: 0 },
    { name: '10 degrees off: refused', short: line([8, -5, 10], [8 + 10 * Math.tan((10 * Math.PI) / 180), 5, 10]), angle: 80, perpendicular: false, gap: 0 },
    { name: 'perpendicular but not crossing', short: line([25, 1, 10], [25, 6, 10]), angle: 90, perpendicular: true, gap: Math.hypot(5, 1) },
    { name: 'parallel', short: line([0, 3, 10], [5, 3, 10]), angle: 0, perpendicular: false, gap: 3 },
  ])('$name', ({ short, angle, perpendicular, gap }) => {
    const c = checkBidimensional(long, short);
    expect(c.angleDeg).toBeCloseTo(angle, 9);
    expect(c.perpendicular).toBe(perpendicular);
    expect(c.gapMm).toBeCloseTo(gap, 9);
    expect(c.longAxisMm).toBeCloseTo(20, 12);
  });

  it('honours a custom tolerance and flags a short axis longer than the long axis', () => {
    const skew = line([8, -5, 10], [8 + 10 * Math.tan((4 * Math.PI) / 180), 5, 10]);
    expect(checkBidimensional(long, skew, 2).perpendicular).toBe(false);
    expect(checkBidimensional(long, line([8, -15, 10], [8, 15, 10])).shortNotLonger).toBe(false);
    expect(checkBidimensional(long, skew).shortNotLonger).toBe(true);
  });

  it('refuses zero-length axes and a tolerance outside 0..90', () => {
    expect(() => checkBidimensional(long, line([1, 1, 1], [1, 1, 1]))).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => checkBidimensional(long, line([8, -4, 10], [8, 5, 10]), -1)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});
