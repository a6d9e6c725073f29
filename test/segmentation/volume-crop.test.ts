// The platform sends the pool a crop of the series around the prompt, not the series: segmenting the crop must give
// exactly the whole series' answer once the mask is moved back by the crop's offset; and a lesion box measured,
// encoded and decoded on the series grid must agree with the same lesion pasted into the whole grid.
import { beforeAll, describe, expect, it } from 'vitest';
import { makePhantom, phantomSpec as spec } from '../../bench/segment-phantoms.js';
import { pasteMask } from '../../bench/segment-scoring.js';
import { decodeMaskRle, encodeMaskRle } from '../../src/domain/mask/index.js';
import { type CaliperLine, measureLesionMask } from '../../src/domain/measurement/index.js';
import type { Vec3, Volume } from '../../src/domain/volume.js';
import { encodeLesionOnSeries, lesionMaskFromRle, maskSliceFromRle, measureLesionOnSeries, shiftLesionMask } from '../../src/segmentation/lesion-on-series.js';
import { DEFAULT_LESION_MODEL_ID, defaultModelRegistryDir, loadRegisteredModel } from '../../src/segmentation/model-registry.js';
import { type ModelSession, openModelSession } from '../../src/segmentation/onnx-session.js';
import { type LesionMask, segmentLesion } from '../../src/segmentation/segment-lesion.js';
import { cropVolume, voiBox } from '../../src/segmentation/volume-crop.js';

let ms: ModelSession;
beforeAll(async () => {
  ms = await openModelSession(await loadRegisteredModel(defaultModelRegistryDir(), DEFAULT_LESION_MODEL_ID), { executionProvider: 'cpu', intraOpThreads: 1 });
});

/** The phantom placed in a larger lung-filled grid, near one corner, so a VOI crop is cut on some sides only. */
function largeSeries(): { volume: Volume; centreMm: Vec3 } {
  const ph = makePhantom(spec({ semiAxesMm: [8, 7, 6], spacingMm: [1, 1, 2] }));
  const [px, py, pz] = ph.volume.dims;
  // wide enough in x that even a 2D model's reach (a 254 mm slice grid, model-card.ts slicePropagation) is a crop
  const dims: [number, number, number] = [px + 300, py + 70, pz + 30];
  const voxels = new Float32Array(dims[0] * dims[1] * dims[2]).fill(-850);
  const at: [number, number, number] = [5, 60, 0]; // touches the grid's first slice: the VOI is clipped there
  for (let k = 0; k < pz; k++)
    for (let j = 0; j < py; j++)
      for (let i = 0; i < px; i++) voxels[at[0] + i + (at[1] + j) * dims[0] + (at[2] + k) * dims[0] * dims[1]] = ph.volume.voxels[i + j * px + k * px * py];
  const o = ph.volume.originMm;
  const sp = ph.volume.spacingMm;
  const originMm: Vec3 = [o[0] - at[0] * sp[0], o[1] - at[1] * sp[1], o[2] - at[2] * sp[2]];
  return { volume: { ...ph.volume, dims, originMm, voxels }, centreMm: ph.centreMm };
}


describe('segmenting a crop around the prompt', () => {
  it('gives the whole series answer, voxel for voxel, once moved back by the crop offset', async () => {
    const { volume, centreMm } = largeSeries();
    const prompt = { kind: 'point' as const, pointMm: centreMm };
    const box = voiBox(volume, centreMm, ms.card)!;
    expect(box.size[0]).toBeLessThan(volume.dims[0]); // really a crop
    expect(box.offset[2]).toBe(0); // and clipped by the grid on one side
    const whole = await segmentLesion(volume, prompt, ms);
    const onCrop = await segmentLesion(cropVolume(volume, box), prompt, ms);
    expect(onCrop.outcome).toBe(whole.outcome);
    const moved = shiftLesionMask(onCrop.mask, box.offset);
    expect(moved.offset).toEqual(whole.mask.offset);
    expect(moved.dims).toEqual(whole.mask.dims);
    expect(Buffer.from(moved.data).equals(Buffer.from(whole.mask.data))).toBe(true);
    expect(onCrop.meanProbability).toBeCloseTo(whole.meanProbability, 5);
  });
});

describe('a lesion box on the series grid', () => {
  // an L-shaped lesion spanning three slices, away from the grid's origin
  const series = { dims: [40, 30, 12] as const, spacingMm: [0.8, 0.6, 2.5] as Vec3, originMm: [-10, 5, 100] as Vec3, rowDir: [1, 0, 0] as Vec3, colDir: [0, 1, 0] as Vec3, sliceDir: [0, 0, 1] as Vec3 };
  const dims: [number, number, number] = [9, 7, 3];
  const data = new Uint8Array(9 * 7 * 3);
  for (let z = 0; z < 3; z++)
    for (let y = 0; y < 7; y++)
      for (let x = 0; x < 9; x++) if (y === 6 || x === 0 || (z === 1 && x < 5)) data[x + y * 9 + z * 63] = 1;
  const lesion: LesionMask = { offset: [17, 11, 4], dims, data };
  const full = pasteMask(lesion, series.dims);

  it('measures exactly as the whole grid does, with endpoints on the series grid', () => {
    const a = measureLesionOnSeries(series, lesion);
    const b = measureLesionMask(full, series);
    expect(a.k).toBe(b.k);
    // the same lines up to rounding (the box computes in smaller numbers)
    const same = (x: CaliperLine, y: CaliperLine) => {
      expect(x.lengthMm).toBeCloseTo(y.lengthMm, 9);
      for (const key of ['fromVoxel', 'toVoxel', 'fromPatientMm', 'toPatientMm'] as const) x[key].forEach((v, i) => expect(v).toBeCloseTo(y[key][i], 9));
    };
    same(a.longAxis, b.longAxis);
    same(a.shortAxis, b.shortAxis);
    expect(a.volumeMm3).toBe(b.volumeMm3);
    expect(a.slices).toEqual(b.slices);
  });

  it('encodes as the whole grid encodes, and decodes back to its bounding box and to single slices', () => {
    const rle = encodeLesionOnSeries(series, lesion);
    expect(rle).toEqual(encodeMaskRle(full, series.dims));
    const back = lesionMaskFromRle(rle);
    expect(back.offset).toEqual(lesion.offset);
    expect(back.dims).toEqual(lesion.dims);
    expect(Buffer.from(back.data).equals(Buffer.from(lesion.data))).toBe(true);
    const plane = series.dims[0] * series.dims[1];
    for (const k of [0, 4, 5, 6, 11]) expect(Buffer.from(maskSliceFromRle(rle, k)).equals(Buffer.from(decodeMaskRle(rle).subarray(k * plane, (k + 1) * plane)))).toBe(true);
  });

  it('encodes an empty lesion as the empty mask, and refuses a box that does not fit the grid', () => {
    const empty = encodeLesionOnSeries(series, { offset: [3, 3, 3], dims: [0, 0, 0], data: new Uint8Array(0) });
    expect(empty).toEqual(encodeMaskRle(new Uint8Array(40 * 30 * 12), series.dims));
    expect(lesionMaskFromRle(empty).dims).toEqual([0, 0, 0]);
    expect(() => encodeLesionOnSeries(series, { ...lesion, offset: [35, 11, 4] })).toThrow(/does not fit the grid/);
  });
});
