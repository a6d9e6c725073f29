import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { largestConnectedComponent, selectConnectedComponent } from '../../src/domain/mask/connected-component.js';
import { type RleMask, decodeMaskRle, encodeMaskRle } from '../../src/domain/mask/mask-rle.js';
import {
  type MaskProvenance,
  parseStoredMask,
  storedMaskToJson,
  toStoredMask,
} from '../../src/domain/mask/stored-mask.js';
import { type Vec3 } from '../../src/domain/volume.js';
import { axialGeometry, ellipsoidMask } from './shapes.js';

const maskArb = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 100 }))
  .chain(([nx, ny, nz, density]) =>
    fc
      .uint8Array({ minLength: nx * ny * nz, maxLength: nx * ny * nz })
      .map((b) => ({ dims: [nx, ny, nz] as const, mask: b.map((v) => (v * 100 < density * 256 ? 1 : 0)) })),
  );

const SHA = 'ab'.repeat(32);
const provenance: MaskProvenance = {
  origin: 'model',
  seriesInstanceUid: '2.25.1234',
  model: { id: 'lesion-seg', version: '1.0.0', sha256: SHA },
  promptVoxel: [40, 41, 12],
  postprocessing: ['threshold 0.5', 'largest-connected-component 6'],
  createdBy: 'job-42',
  createdAt: '2025-03-01T10:00:00Z',
};

describe('mask RLE encoding', () => {
  it('round-trips any mask and re-encodes to the identical value', () => {
    fc.assert(
      fc.property(maskArb, ({ dims, mask }) => {
        const rle = encodeMaskRle(mask, dims);
        const back = decodeMaskRle(rle);
        expect(back).toEqual(mask);
        expect(encodeMaskRle(back, dims)).toEqual(rle);
        expect(rle.voxelCount).toBe(mask.reduce((n, v) => n + v, 0));
      }),
      { numRuns: 300 },
    );
  });

  it('treats any non-zero byte as inside', () => {
    const rle = encodeMaskRle(Uint8Array.from([0, 7, 255, 0]), [2, 2, 1]);
    expect(decodeMaskRle(rle)).toEqual(Uint8Array.from([0, 1, 1, 0]));
  });

  it('stores only the slices between the first and last non-empty one', () => {
    const dims = [4, 3, 10] as const;
    const mask = new Uint8Array(120);
    mask[3 * 12 + 5] = 1;
    mask[6 * 12 + 0] = 1;
    const rle = encodeMaskRle(mask, dims);
    expect(rle.firstSlice).toBe(3);
    expect(rle.slices).toHaveLength(4);
    expect(rle.slices.slice(1, 3)).toEqual(['', '']);
    // Slice 3: outside 5, inside 1 -> varints [5, 1]; slice 6: outside 0, inside 1 -> [0, 1].
    expect(Buffer.from(rle.slices[0], 'base64')).toEqual(Buffer.from([5, 1]));
    expect(Buffer.from(rle.slices[3], 'base64')).toEqual(Buffer.from([0, 1]));
    expect(encodeMaskRle(new Uint8Array(120), dims)).toMatchObject({ firstSlice: 0, slices: [], voxelCount: 0 });
  });

  it('encodes long runs as multi-byte varints and stays compact for a real lesion', () => {
    const g = axialGeometry([512, 512, 40], [0.7, 0.7, 2.5]);
    const mask = ellipsoidMask(g, [180, 170, 50], [25, 18, 20]);
    const rle = encodeMaskRle(mask, g.dims);
    // Buffer.equals: element-wise toEqual on 10 million voxels is far too slow.
    expect(Buffer.from(decodeMaskRle(rle)).equals(Buffer.from(mask))).toBe(true);
    const bytes = JSON.stringify(rle).length;
    console.log(`512x512x40 grid, ${rle.voxelCount} voxel lesion: ${bytes} bytes of JSON (${rle.slices.length} slices)`);
    expect(bytes).toBeLessThan(20_000);
  });

  const good = encodeMaskRle(Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0]), [4, 2, 1]);
  const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
  it.each<[string, Partial<RleMask>]>([
    ['an unknown format', { format: 'other' as never }],
    ['an unknown version', { version: 2 as never }],
    ['bad dims', { dims: [4, 0, 1] }],
    ['a huge grid', { dims: [65536, 65536, 2] }],
    ['slices past the grid', { firstSlice: 1 }],
    ['a voxel count that disagrees', { voxelCount: 4 }],
    ['a run past the slice', { slices: [b64([1, 9])] }],
    ['a zero-length inner run', { slices: [b64([1, 0, 2, 1])] }],
    ['a slice ending on an outside run', { slices: [b64([1, 2, 2])] }],
    ['a truncated varint', { slices: [b64([1, 0x81])] }],
    ['a varint with a redundant byte', { slices: [b64([0x81, 0x00, 2])] }],
    ['non-canonical base64', { slices: [good.slices[0] + '!'] }],
    ['an empty slice at the end of the stored range', { slices: [good.slices[0], ''] , dims: [4, 2, 2] }],
  ])('refuses %s', (_name, patch) => {
    expect(() => decodeMaskRle({ ...good, ...patch } as RleMask)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});

describe('stored mask with provenance', () => {
  const g = axialGeometry([30, 30, 8], [0.8, 0.8, 3]);
  const mask = ellipsoidMask(g, [12, 12, 12], [6, 4, 5]);

  it('round-trips through canonical JSON', () => {
    const json = storedMaskToJson(toStoredMask(mask, g, provenance));
    const { stored, voxels } = parseStoredMask(json);
    expect(voxels).toEqual(mask);
    expect(stored.geometry).toEqual(g);
    expect(stored.provenance).toEqual(provenance);
    expect(storedMaskToJson(stored)).toBe(json);
  });

  it('is deterministic whatever the key order of the inputs', () => {
    const reordered = Object.fromEntries(Object.entries(provenance).reverse()) as unknown as MaskProvenance;
    const gReordered = Object.fromEntries(Object.entries(g).reverse()) as unknown as typeof g;
    const a = storedMaskToJson(toStoredMask(mask, g, provenance));
    const b = storedMaskToJson(toStoredMask(mask, gReordered, reordered));
    expect(b).toBe(a);
    const hash = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(hash(b)).toBe(hash(a));
    expect(a.startsWith('{"format":"corelab-stored-mask","version":1,"geometry":{"dims":[30,30,8]')).toBe(true);
  });

  it.each<[string, Partial<MaskProvenance>]>([
    ['a model mask without its model', { model: undefined }],
    ['a reader mask naming a model', { origin: 'reader' }],
    ['an edit without its parent mask', { origin: 'model-edited-by-reader' }],
    ['a bad model hash', { model: { id: 'm', version: '1', sha256: 'XYZ' } }],
    ['a time without a zone', { createdAt: '2025-03-01T10:00:00' }],
    ['an unknown origin', { origin: 'import' as never }],
    ['an empty creator', { createdBy: '' }],
    ['a non-finite prompt', { promptVoxel: [1, Number.NaN, 2] as Vec3 }],
  ])('refuses provenance with %s', (_name, patch) => {
    expect(() => toStoredMask(mask, g, { ...provenance, ...patch })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('accepts a reader edit that names its parent', () => {
    const p: MaskProvenance = { ...provenance, origin: 'model-edited-by-reader', parentMaskSha256: SHA, createdBy: 'reader-7' };
    expect(parseStoredMask(storedMaskToJson(toStoredMask(mask, g, p))).stored.provenance).toEqual(p);
  });

  it('refuses JSON whose mask grid differs from its geometry, or that is not JSON', () => {
    const stored = toStoredMask(mask, g, provenance);
    const other = { ...stored, mask: encodeMaskRle(new Uint8Array(8), [2, 2, 2]) };
    expect(() => parseStoredMask(JSON.stringify(other))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => parseStoredMask('{')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => toStoredMask(mask, { ...g, rowDir: [2, 0, 0] }, provenance)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});

describe('largestConnectedComponent (6-connectivity)', () => {
  // Three blobs on a 12x6x3 grid: A (big, left), B (small, right), C touching B only at an edge (diagonal).
  const dims = [12, 6, 3] as const;
  const at = (i: number, j: number, k: number) => i + j * 12 + k * 72;
  function blobs(): Uint8Array {
    const m = new Uint8Array(12 * 6 * 3);
    for (let k = 0; k < 3; k++) for (let j = 0; j < 4; j++) for (let i = 0; i < 3; i++) m[at(i, j, k)] = 1; // A: 36
    m[at(8, 1, 1)] = 1; // B: 2 voxels
    m[at(8, 1, 2)] = 1;
    m[at(9, 2, 1)] = 1; // C: diagonal to B in-plane: a separate component under 6-connectivity
    return m;
  }
  const members = (m: Uint8Array) => [...m.keys()].filter((v) => m[v] === 1);

  it.each<[string, Vec3 | null, number[]]>([
    ['no prompt: the largest', null, members(blobs()).filter((v) => v % 12 < 3)],
    ['prompt inside B', [8, 1, 2], [at(8, 1, 1), at(8, 1, 2)]],
    ['prompt inside C', [9, 2, 1], [at(9, 2, 1)]],
    ['prompt outside, nearest C', [10, 3, 1], [at(9, 2, 1)]],
    ['prompt outside, nearest A', [4.6, 0.2, 0], members(blobs()).filter((v) => v % 12 < 3)],
  ])('%s', (_name, seed, expected) => {
    expect(members(largestConnectedComponent(blobs(), dims, seed))).toEqual(expected);
  });

  it('measures "nearest" in millimetres when given the spacing', () => {
    // Prompt at (5, 1, 0): A's nearest voxel (2,1,0) is 3 columns away (1.5 mm); B's (8,1,1) is 3 columns and one
    // 5 mm slice away (5.2 mm): A is kept.
    const m = blobs();
    expect(members(largestConnectedComponent(m, dims, [5, 1, 0], [0.5, 0.5, 5]))).toContain(at(0, 0, 0));
    // Prompt at (6, 1, 2): A's nearest (2,1,2) is 4 columns away; B's (8,1,2) is 2 columns away.
    expect(members(largestConnectedComponent(m, dims, [6, 1, 2], [1, 1, 1]))).toEqual([at(8, 1, 1), at(8, 1, 2)]);
    const r = selectConnectedComponent(m, dims, [6, 1, 2]);
    expect(r).toMatchObject({ componentCount: 3, voxelCount: 2, containsSeed: false });
    expect(selectConnectedComponent(m, dims, [1, 1, 1])).toMatchObject({ voxelCount: 36, containsSeed: true });
  });

  it('anisotropic spacing changes which component is nearest', () => {
    const m = new Uint8Array(9 * 1 * 9);
    m[0 + 4 * 9] = 1; // P at (0, 0, 4): 4 columns from the prompt
    m[4 + 0 * 9] = 1; // Q at (4, 0, 0): 4 slices from the prompt
    const dims9 = [9, 1, 9] as const;
    expect(members(largestConnectedComponent(m, dims9, [4, 0, 4], [0.5, 1, 3]))).toEqual([4 * 9]);
    expect(members(largestConnectedComponent(m, dims9, [4, 0, 4], [3, 1, 0.5]))).toEqual([4]);
  });

  it('returns an empty mask for an empty input and agrees with a brute-force flood fill on random masks', () => {
    expect(selectConnectedComponent(new Uint8Array(8), [2, 2, 2])).toMatchObject({ voxelCount: 0, componentCount: 0 });
    fc.assert(
      fc.property(maskArb, ({ dims: d, mask }) => {
        const kept = largestConnectedComponent(mask, d);
        const [nx, ny, nz] = d;
        // Brute force: kept ⊆ mask, connected, closed under 6-neighbours within mask, and no larger component exists.
        const size = (seedV: number) => {
          const seen = new Set([seedV]);
          const stack = [seedV];
          while (stack.length) {
            const v = stack.pop()!;
            const i = v % nx, j = Math.floor(v / nx) % ny, k = Math.floor(v / (nx * ny));
            for (const [di, dj, dk] of [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]]) {
              const a = i + di, b = j + dj, c = k + dk;
              if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
              const w = a + b * nx + c * nx * ny;
              if (mask[w] && !seen.has(w)) (seen.add(w), stack.push(w));
            }
          }
          return seen;
        };
        const all = members(mask);
        if (all.length === 0) {
          expect(members(kept)).toEqual([]);
          return;
        }
        const keptV = members(kept);
        expect(new Set(keptV)).toEqual(size(keptV[0]));
        const largest = Math.max(...all.map((v) => size(v).size));
        expect(keptV.length).toBe(largest);
      }),
      { numRuns: 150 },
    );
  });
});
