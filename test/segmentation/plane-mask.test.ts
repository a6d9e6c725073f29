// The slice walk's 2D mask operations (src/domain/mask/plane-mask.ts) on small hand-drawn grids.
import { describe, expect, it } from 'vitest';
import { componentAt, keepNear, maskExtentVoxels, meanOver, overlapping, ringMedianHu, touchesGridEdge } from '../../src/domain/mask/plane-mask.js';

/** rows of '#' (1) and '.' (0) -> [mask, nx, ny] */
function grid(...rows: string[]): [Uint8Array, number, number] {
  const nx = rows[0].length;
  return [Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0)), nx, rows.length];
}
const prob = (m: Uint8Array, on = 0.9, off = 0.1) => Float32Array.from(m, (v) => (v ? on : off));
const draw = (m: Uint8Array, nx: number) => Array.from({ length: m.length / nx }, (_, y) => Array.from(m.subarray(y * nx, (y + 1) * nx), (v) => (v ? '#' : '.')).join(''));

describe('plane masks of the slice walk', () => {
  const [two, nx, ny] = grid(
    '##.....',
    '##.....',
    '..#....',
    '.....##',
    '.....##',
  );

  it('takes the 8-connected component at the click, joined across a corner', () => {
    expect(draw(componentAt(prob(two), nx, ny, 0.5, [0, 0]), nx)).toEqual(['##.....', '##.....', '..#....', '.......', '.......']);
  });

  it('takes the component nearest the click when the click misses, and nothing when nothing passes the threshold', () => {
    expect(draw(componentAt(prob(two), nx, ny, 0.5, [6, 2]), nx)).toEqual(['.......', '.......', '.......', '.....##', '.....##']);
    expect(componentAt(prob(two, 0.4), nx, ny, 0.5, [0, 0]).some((v) => v)).toBe(false);
  });

  it('keeps every component that overlaps the previous slice mask, and only those', () => {
    const [prev] = grid('.......', '.......', '.......', '.......', '......#');
    expect(draw(overlapping(prob(two), nx, ny, 0.5, prev), nx)).toEqual(['.......', '.......', '.......', '.....##', '.....##']);
    expect(overlapping(prob(two), nx, ny, 0.5, new Uint8Array(nx * ny)).some((v) => v)).toBe(false);
  });

  it('keeps the probability on the mask and a rim below the threshold around it, zero beyond', () => {
    const [m, w, h] = grid('.....', '..#..', '.....', '.....');
    const p = new Float32Array(w * h).fill(0.8);
    const near = keepNear(p, m, w, h);
    expect(near[2 + 1 * w]).toBeCloseTo(0.8);
    expect(near[1 + 0 * w]).toBeLessThan(0.5); // the rim: interpolation sees the edge fall, the rim never passes
    expect(near[1 + 0 * w]).toBeGreaterThan(0.49);
    expect(near[0 + 3 * w]).toBe(0);
  });

  it('measures the mean under a mask, the median of the ring around it, its extent and whether it reaches the edge', () => {
    const [m, w, h] = grid('......', '..##..', '..##..', '......', '......', '......');
    const hu = Float32Array.from({ length: w * h }, (_, v) => (m[v] ? 40 : v === 0 ? 1000 : -800));
    expect(meanOver(hu, m)).toBe(40);
    expect(ringMedianHu(hu, m, w, h, 1)).toBe(-800); // a bright corner voxel does not move the median
    expect(Number.isNaN(meanOver(hu, new Uint8Array(w * h)))).toBe(true);
    expect(maskExtentVoxels(m, w, h)).toBe(2);
    expect(touchesGridEdge(m, w, h)).toBe(false);
    expect(touchesGridEdge(grid('......', '.....#')[0], 6, 2)).toBe(true);
  });
});
