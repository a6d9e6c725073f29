// The registry refuses invalid cards and models whose bytes do not match the card, and a third-party ONNX model
// (niivue/brainchop brain MR tissue segmentation) plugs in through the same card, registry, session and input code.
import { copyFile, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDir } from '../corpus.js';
import { isDomainError } from '../../src/domain/errors.js';
import type { Volume } from '../../src/domain/volume.js';
import { parseModelCard } from '../../src/segmentation/model-card.js';
import { buildModelInput } from '../../src/segmentation/model-input.js';
import {
  DEFAULT_LESION_MODEL_ID,
  defaultModelRegistryDir,
  listRegisteredModelIds,
  loadRegisteredModel,
  readModelCard,
  sha256Hex,
} from '../../src/segmentation/model-registry.js';
import { executionProviderFromEnv, openModelSession, runModel } from '../../src/segmentation/onnx-session.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const niivueCardFixture = path.join(here, 'fixtures/niivue-tissue-seg/model-card.json');
const corpus = corpusDir();
const niivueDir = corpus ? path.join(corpus, 'models/niivue-onnx') : undefined;
if (!corpus) console.log('skipping corpus tests: no corpus (set CORELAB_CORPUS or provide ../shared/corpus)');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'corelab-registry-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function validCard(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path.join(defaultModelRegistryDir(), 'lesion-seg-v1/model-card.json'), 'utf8'));
}

describe('committed models', () => {
  it.each(['lesion-seg-v1', 'lesion-seg-v2', 'lesion-seg-v3'])('%s: the card validates and model.onnx hashes to the card sha256', async (id) => {
    const m = await loadRegisteredModel(defaultModelRegistryDir(), id);
    expect(m.card.id).toBe(id);
    expect(sha256Hex(m.onnx)).toBe(m.card.sha256);
    expect(m.card.input.channels).toEqual(['image', 'image-relative', 'prompt']);
    expect(await listRegisteredModelIds(defaultModelRegistryDir())).toContain(id);
  });

  it('the default lesion model is lesion-seg-v3, a promptable lesion model', async () => {
    expect(DEFAULT_LESION_MODEL_ID).toBe('lesion-seg-v3');
    expect((await readModelCard(defaultModelRegistryDir(), DEFAULT_LESION_MODEL_ID)).task).toBe('promptable-lesion-segmentation');
  });
});

describe('model card schema', () => {
  const cases: [string, (c: Record<string, any>) => void][] = [
    ['missing sha256', (c) => delete c.sha256],
    ['short sha256', (c) => (c.sha256 = 'abc')],
    ['unknown task', (c) => (c.task = 'classification')],
    ['version not semver', (c) => (c.version = 'v1')],
    ['negative spacing', (c) => (c.input.spacingMm = [1, -1, 1])],
    ['two-element size', (c) => (c.input.sizeVoxels = [64, 64])],
    ['unknown intensity kind', (c) => (c.input.intensity = { kind: 'zscore' })],
    ['prompt channel without encoding', (c) => (c.input.prompt = { kind: 'none' })],
    ['relative channel without its scale', (c) => delete c.input.relativeIntensity],
    ['sigmoid output without threshold', (c) => delete c.output.threshold],
    ['window upside down', (c) => (c.input.intensity = { ...c.input.intensity, lowerHu: 500, upperHu: -500 })],
    ['extra property', (c) => (c.extra = 1)],
  ];
  /** parseModelCard refuses the card with a validation problem */
  const expectRefused = (c: unknown) => {
    let err: unknown;
    try {
      parseModelCard(c);
    } catch (e) {
      err = e;
    }
    expect(isDomainError(err) && err.code).toBe('VALIDATION_FAILED');
  };
  it.each(cases)('rejects a card with %s', async (_name, mutate) => {
    const c = await validCard();
    mutate(c);
    expectRefused(c);
  });

  it('accepts the committed card unchanged', async () => {
    expect(parseModelCard(await validCard()).id).toBe('lesion-seg-v1');
  });

  // a 2D model walking the slices (lesion-seg-v3): layout NCHW, the previous-slice-mask prompt and slicePropagation
  // go together, and it reads one slice
  const cases2d: [string, (c: Record<string, any>) => void][] = [
    ['NCHW without slicePropagation', (c) => delete c.input.slicePropagation],
    ['NCHW with a 3D prompt', (c) => (c.input.prompt = { kind: 'gaussian-heatmap', sigmaMm: 3 })],
    ['NCDHW with slicePropagation', (c) => (c.input.layout = 'NCDHW')],
    ['NCHW reading more than one slice', (c) => (c.input.sizeVoxels = [128, 128, 3])],
    ['zoom range upside down', (c) => (c.input.slicePropagation.zoom = { lesionDiameterVoxels: 40, minSpacingMm: 3, maxSpacingMm: 1 })],
    ['edge rule narrower than the zoom', (c) => (c.input.slicePropagation.edgeMaxSpacingMm = 0.5)],
    ['no edge rule limit', (c) => delete c.input.slicePropagation.edgeMaxSpacingMm],
    ['unknown layout', (c) => (c.input.layout = 'NHWC')],
    ['previous-slice-mask without its click sigma', (c) => delete c.input.prompt.clickSigmaVoxels],
  ];
  it.each(cases2d)('rejects a 2D card with %s', async (_name, mutate) => {
    const c = JSON.parse(await readFile(path.join(defaultModelRegistryDir(), 'lesion-seg-v3/model-card.json'), 'utf8'));
    expect(parseModelCard(structuredClone(c)).input.layout).toBe('NCHW');
    mutate(c);
    expectRefused(c);
  });
});

describe('registry checks', () => {
  it('refuses a model whose bytes do not match the card sha256', async () => {
    const dir = path.join(tmp, 'tampered', 'lesion-seg-v1');
    await mkdir(dir, { recursive: true });
    const src = path.join(defaultModelRegistryDir(), 'lesion-seg-v1');
    await copyFile(path.join(src, 'model-card.json'), path.join(dir, 'model-card.json'));
    const bytes = await readFile(path.join(src, 'model.onnx'));
    bytes[bytes.length - 10] ^= 0xff;
    await writeFile(path.join(dir, 'model.onnx'), bytes);
    await expect(loadRegisteredModel(path.join(tmp, 'tampered'), 'lesion-seg-v1')).rejects.toMatchObject({ code: 'UNPROCESSABLE' });
  });

  it('refuses a card that does not describe its graph (wrong VOI size)', async () => {
    const dir = path.join(tmp, 'mismatch', 'lesion-seg-v1');
    await mkdir(dir, { recursive: true });
    const src = path.join(defaultModelRegistryDir(), 'lesion-seg-v1');
    const card = JSON.parse(await readFile(path.join(src, 'model-card.json'), 'utf8'));
    card.input.sizeVoxels = [64, 64, 64];
    await writeFile(path.join(dir, 'model-card.json'), JSON.stringify(card));
    await copyFile(path.join(src, 'model.onnx'), path.join(dir, 'model.onnx'));
    const m = await loadRegisteredModel(path.join(tmp, 'mismatch'), 'lesion-seg-v1');
    await expect(openModelSession(m, { executionProvider: 'cpu', intraOpThreads: 1 })).rejects.toMatchObject({ code: 'UNPROCESSABLE' });
  });

  it('refuses a card whose id is not its folder, and an unknown model', async () => {
    const dir = path.join(tmp, 'renamed', 'other-model');
    await mkdir(dir, { recursive: true });
    await copyFile(path.join(defaultModelRegistryDir(), 'lesion-seg-v1/model-card.json'), path.join(dir, 'model-card.json'));
    await expect(readModelCard(path.join(tmp, 'renamed'), 'other-model')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(readModelCard(path.join(tmp, 'renamed'), 'absent-model')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('CORELAB_ONNX_EP selects the provider; CUDA falls back to CPU with the reason recorded when absent', async () => {
    expect(executionProviderFromEnv({})).toBe('cpu');
    expect(executionProviderFromEnv({ CORELAB_ONNX_EP: 'CUDA' })).toBe('cuda');
    expect(() => executionProviderFromEnv({ CORELAB_ONNX_EP: 'tpu' })).toThrow(/CORELAB_ONNX_EP/);
    const m = await loadRegisteredModel(defaultModelRegistryDir(), 'lesion-seg-v1');
    const s = await openModelSession(m, { executionProvider: 'cuda', intraOpThreads: 1 });
    expect(s.requestedProvider).toBe('cuda');
    if (s.executionProvider === 'cpu') expect(s.fallbackReason).toMatch(/CUDA/);
    else expect(s.fallbackReason).toBeUndefined();
  });
});

describe.skipIf(!niivueDir)('third-party model through the same registry (niivue brain tissue segmentation)', () => {
  it('loads with a card, runs on the sample T1 and labels white and grey matter inside the head', async () => {
    const reg = path.join(tmp, 'third-party');
    const dir = path.join(reg, 'niivue-tissue-seg');
    await mkdir(dir, { recursive: true });
    await copyFile(niivueCardFixture, path.join(dir, 'model-card.json'));
    await copyFile(path.join(niivueDir!, 'model.onnx'), path.join(dir, 'model.onnx'));
    const m = await loadRegisteredModel(reg, 'niivue-tissue-seg');
    const s = await openModelSession(m, { executionProvider: 'cpu', intraOpThreads: 1 });

    // NIfTI-1: 348-byte header, dims at byte 40, datatype at 70, vox_offset at 108 (uint8 data here)
    const nii = gunzipSync(await readFile(path.join(niivueDir!, 't1_crop.nii.gz')));
    const dv = new DataView(nii.buffer, nii.byteOffset, nii.byteLength);
    const dims = [dv.getInt16(42, true), dv.getInt16(44, true), dv.getInt16(46, true)] as [number, number, number];
    expect(dv.getInt16(70, true)).toBe(2);
    const offset = dv.getFloat32(108, true);
    const voxels = new Float32Array(dims[0] * dims[1] * dims[2]);
    for (let i = 0; i < voxels.length; i++) voxels[i] = nii[offset + i];
    const volume: Volume = {
      dims,
      spacingMm: [1, 1, 1],
      originMm: [0, 0, 0],
      rowDir: [1, 0, 0],
      colDir: [0, 1, 0],
      sliceDir: [0, 0, 1],
      voxels,
    };
    const centre: [number, number, number] = [(dims[0] - 1) / 2, (dims[1] - 1) / 2, (dims[2] - 1) / 2];
    const input = buildModelInput(volume, centre, centre, m.card);
    const out = await runModel(s, input.tensor);
    const n = voxels.length;
    expect(out.length).toBe(3 * n);
    const counts = [0, 0, 0];
    let headVoxels = 0;
    let tissueInHead = 0;
    let air = 0;
    let airLabelledTissue = 0;
    for (let i = 0; i < n; i++) {
      const cls = out[i] >= out[n + i] ? (out[i] >= out[2 * n + i] ? 0 : 2) : out[n + i] >= out[2 * n + i] ? 1 : 2;
      counts[cls]++;
      if (voxels[i] > 40) {
        headVoxels++;
        if (cls !== 0) tissueInHead++;
      }
      if (voxels[i] === 0) (air += 1), (airLabelledTissue += cls === 0 ? 0 : 1);
    }
    // a brain holds roughly 0.4-0.5 l white and 0.5-0.7 l grey matter: at 1 mm^3 voxels, hundreds of thousands each
    expect(counts[1]).toBeGreaterThan(200_000);
    expect(counts[2]).toBeGreaterThan(200_000);
    expect(tissueInHead / headVoxels).toBeGreaterThan(0.3);
    expect(airLabelledTissue / air).toBeLessThan(0.01);
    console.log(`niivue: wm ${counts[1]} gm ${counts[2]} voxels; tissue in head ${(tissueInHead / headVoxels).toFixed(3)}`);
  }, 120_000);
});
