// Geometry of the VOI and of both resampling directions: a linear field must come back exactly (trilinear is exact
// on linear functions), wherever the series sits in patient space and whichever way its axes point.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Vec3, type Volume, patientToVoxel, voxelToPatient } from '../../src/domain/volume.js';
import type { ModelCard } from '../../src/segmentation/model-card.js';
import { buildModelInput, buildSliceModelInput, sliceGeometry, sliceReferenceHu, voiGeometry } from '../../src/segmentation/model-input.js';
import { defaultModelRegistryDir, readModelCard } from '../../src/segmentation/model-registry.js';
import { applyIndexAffine, indexAffine, resampleBox } from '../../src/segmentation/resample.js';

const card = {
  id: 'test-card',
  version: '1.0.0',
  task: 'promptable-lesion-segmentation',
  modality: 'CT',
  file: 'model.onnx',
  sha256: '0'.repeat(64),
  licence: 'test',
  input: {
    name: 'input',
    layout: 'NCDHW',
    sizeVoxels: [16, 12, 10],
    spacingMm: [1.25, 1.25, 1.25],
    channels: ['image', 'prompt'],
    intensity: { kind: 'window-linear', lowerHu: -1000, upperHu: 1000, offset: 0, scale: 1 },
    prompt: { kind: 'gaussian-heatmap', sigmaMm: 5 },
  },
  output: { name: 'output', activation: 'sigmoid', classes: [{ index: 0, name: 'lesion' }], threshold: 0.5 },
  method: {},
} as const satisfies ModelCard;

// a patient-space linear field, in HU, small enough to stay inside the window
const field = (p: Vec3) => 2 * p[0] - 3 * p[1] + 0.5 * p[2] + 10;

function series(rowDir: Vec3, colDir: Vec3, sliceDir: Vec3): Volume {
  const dims: [number, number, number] = [40, 36, 20];
  const g = { dims, spacingMm: [0.7, 0.8, 2.5] as Vec3, originMm: [-100, 50, -300] as Vec3, rowDir, colDir, sliceDir };
  const voxels = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, v++) voxels[v] = field(voxelToPatient(g, [i, j, k]));
  return { ...g, voxels };
}

describe.each([
  ['axial', [1, 0, 0], [0, 1, 0], [0, 0, 1]],
  ['flipped coronal', [-1, 0, 0], [0, 0, -1], [0, 1, 0]],
] as [string, Vec3, Vec3, Vec3][])('%s series', (_name, r, c, s) => {
  const vol = series(r, c, s);
  const centre = voxelToPatient(vol, [20, 18, 10]);

  it('centres the VOI on the prompt with the card spacing and the series axes', () => {
    const voi = voiGeometry(vol, centre, card);
    const mid = patientToVoxel(voi, centre);
    expect(mid[0]).toBeCloseTo(7.5, 6);
    expect(mid[1]).toBeCloseTo(5.5, 6);
    expect(mid[2]).toBeCloseTo(4.5, 6);
    expect(voi.rowDir).toEqual(vol.rowDir);
    expect(voi.spacingMm).toEqual([1.25, 1.25, 1.25]);
  });

  it('samples the image at the right patient positions and puts the prompt peak at the click', () => {
    const { voi, tensor } = buildModelInput(vol, centre, centre, card);
    const n = 16 * 12 * 10;
    for (const [i, j, k] of [[0, 0, 0], [15, 11, 9], [3, 7, 2], [8, 6, 5]] as Vec3[]) {
      const idx = i + j * 16 + k * 16 * 12;
      expect(tensor[idx]).toBeCloseTo(field(voxelToPatient(voi, [i, j, k])), 2);
    }
    // the click sits between voxels (7.5, 5.5, 4.5): the 8 surrounding voxels share the maximum
    let best = 0;
    for (let v = 0; v < n; v++) best = Math.max(best, tensor[n + v]);
    expect(tensor[n + 7 + 5 * 16 + 4 * 16 * 12]).toBeCloseTo(best, 6);
    const d2 = 3 * (0.5 * 1.25) ** 2;
    expect(best).toBeCloseTo(Math.exp(-d2 / (2 * 25)), 5);
  });

  it('writes the click-relative channel: clicked tissue reads 0, others their HU difference over the scale', () => {
    const rel = { ...card, input: { ...card.input, channels: ['image', 'image-relative', 'prompt'], relativeIntensity: { scaleHu: 10, limit: 2 } } } as const satisfies ModelCard;
    const { voi, tensor } = buildModelInput(vol, centre, centre, rel);
    const n = 16 * 12 * 10;
    // the click's voxel rounds to (8, 6, 5); a linear field's 3x3x3 mean is its value at that voxel
    const ref = field(voxelToPatient(voi, [8, 6, 5]));
    for (const [i, j, k] of [[8, 6, 5], [9, 6, 5], [0, 0, 0], [15, 11, 9]] as Vec3[]) {
      const want = Math.max(-2, Math.min(2, (field(voxelToPatient(voi, [i, j, k])) - ref) / 10));
      expect(tensor[n + i + j * 16 + k * 16 * 12]).toBeCloseTo(want, 3);
    }
    expect(tensor[n + 8 + 6 * 16 + 5 * 16 * 12]).toBeCloseTo(0, 4);
  });

  it('maps VOI values back onto the series grid (the inverse affine)', () => {
    const voi = voiGeometry(vol, centre, card);
    const voiVals = resampleBox(vol.voxels, vol.dims, indexAffine(voi, vol), [0, 0, 0], voi.dims, { kind: 'clamp' });
    const back = resampleBox(voiVals, voi.dims, indexAffine(vol, voi), [18, 16, 9], [4, 4, 3], { kind: 'constant', value: -1 });
    for (let k = 0, v = 0; k < 3; k++)
      for (let j = 0; j < 4; j++)
        for (let i = 0; i < 4; i++, v++) expect(back[v]).toBeCloseTo(vol.voxels[18 + i + (16 + j) * 40 + (9 + k) * 40 * 36], 2);
    const a = indexAffine(voi, vol);
    const roundTrip = applyIndexAffine(indexAffine(vol, voi), applyIndexAffine(a, [3, 4, 5]));
    expect(roundTrip[0]).toBeCloseTo(3, 9);
    expect(roundTrip[2]).toBeCloseTo(5, 9);
  });
});

// The 2D slice-propagation model (lesion-seg-v3) was trained on inputs built by its Python generator; the platform
// must build the very same input from a series. The fixture holds a series slice, a click and a model spacing with
// the input phantoms2d.py builds for them (workers/models/lesion-seg-v3/parity_fixture.py).
describe('2D model input matches the training generator (lesion-seg-v3)', () => {
  const here = path.dirname(new URL(import.meta.url).pathname);
  const fx = JSON.parse(readFileSync(path.join(here, 'fixtures/lesion-seg-v3-parity.json'), 'utf8'));

  it('same windowing, axes, spacing, clamped edges, click reference and click prompt', async () => {
    const v3 = await readModelCard(defaultModelRegistryDir(), 'lesion-seg-v3');
    const [nx, ny] = fx.sliceDims as [number, number];
    const dims: [number, number, number] = [nx, ny, 3];
    const voxels = new Float32Array(nx * ny * 3).fill(500); // the slices either side differ: only slice 1 may be read
    voxels.set(fx.slice, nx * ny);
    const vol: Volume = {
      dims,
      spacingMm: [fx.spacingMm, fx.spacingMm, 2],
      originMm: [fx.originMm[0], fx.originMm[1], -2],
      rowDir: [1, 0, 0],
      colDir: [0, 1, 0],
      sliceDir: [0, 0, 1],
      voxels,
    };
    const click: Vec3 = [fx.clickMm[0], fx.clickMm[1], 0.3];
    const g = sliceGeometry(vol, click, 1, fx.modelSpacingMm, v3);
    expect(g.dims).toEqual([128, 128, 1]);
    const ref = sliceReferenceHu(vol, g, click);
    expect(ref).toBeCloseTo(fx.referenceHu, 3);
    const t = buildSliceModelInput(vol, g, { kind: 'click', clickMm: click }, ref, v3);
    const n = 128 * 128;
    for (const s of fx.samples as { x: number; y: number; channels: number[] }[])
      s.channels.forEach((want, c) => expect(t[c * n + s.x + s.y * 128], `channel ${c} at (${s.x}, ${s.y})`).toBeCloseTo(want, 4));
    // a mask prompt is the previous slice's mask as 0/1
    const mask = new Uint8Array(n);
    mask[5 + 7 * 128] = 1;
    const tm = buildSliceModelInput(vol, g, { kind: 'mask', mask }, ref, v3);
    expect(tm[2 * n + 5 + 7 * 128]).toBe(1);
    expect(tm.subarray(2 * n).reduce((a, b) => a + b, 0)).toBe(1);
  });
});
