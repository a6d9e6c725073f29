// workers/segment.ts in a real Piscina pool: the same result as the in-process pipeline, the volume's buffer
// transferred (not cloned) to the worker, the mask transferred back, provenance recorded.
import { afterAll, describe, expect, it } from 'vitest';
import { makePhantom, phantomSpec as spec } from '../../bench/segment-phantoms.js';
import { DEFAULT_LESION_MODEL_ID, defaultModelRegistryDir, loadRegisteredModel } from '../../src/segmentation/model-registry.js';
import { openModelSession } from '../../src/segmentation/onnx-session.js';
import { segmentLesion } from '../../src/segmentation/segment-lesion.js';
import { createSegmentationPool, planSegmentationPool } from '../../src/segmentation/segmentation-pool.js';
import type { SegmentTask, SegmentTaskResult } from '../../workers/segment.js';
import { loadConfig } from '../../src/config.js';
import { WorkerPools, segmentationPoolOptions } from '../../src/jobs/worker-pools.js';

const pool = createSegmentationPool(planSegmentationPool(2, { workers: 1 }), { registryDir: defaultModelRegistryDir(), executionProvider: 'cpu' });
afterAll(async () => {
  await pool.destroy();
});

describe('planSegmentationPool', () => {
  it.each([
    [2, {}, { workers: 2, intraOpThreads: 1 }],
    [2, { workers: 1 }, { workers: 1, intraOpThreads: 2 }],
    [8, { intraOpThreads: 2 }, { workers: 4, intraOpThreads: 2 }],
    [4, { workers: 2, intraOpThreads: 4 }, { workers: 2, intraOpThreads: 2 }],
    [2, { workers: 5 }, { workers: 2, intraOpThreads: 1 }],
  ] as const)('%i cores, %o -> %o', (cores, req, plan) => {
    const p = planSegmentationPool(cores, req);
    expect(p).toEqual(plan);
    expect(p.workers * p.intraOpThreads).toBeLessThanOrEqual(cores);
  });
});

describe('segment worker', () => {
  it('segments in the pool exactly as in process, with buffers moved both ways', async () => {
    const ph = makePhantom(spec({ semiAxesMm: [8, 8, 8] }));
    const local = await segmentLesion(
      ph.volume,
      { kind: 'point', pointMm: ph.centreMm },
      await openModelSession(await loadRegisteredModel(defaultModelRegistryDir(), DEFAULT_LESION_MODEL_ID), { executionProvider: 'cpu', intraOpThreads: 1 }),
    );
    const task: SegmentTask = { modelId: DEFAULT_LESION_MODEL_ID, volume: { ...ph.volume, voxels: new Float32Array(ph.volume.voxels) }, prompt: { kind: 'point', pointMm: ph.centreMm } };
    const buf = task.volume.voxels.buffer as ArrayBuffer;
    const res = (await pool.run(task, { transferList: [buf] })) as SegmentTaskResult;
    expect(buf.byteLength).toBe(0); // moved to the worker
    expect(res.outcome).toBe('segmented');
    expect(res.voxelCount).toBe(local.voxelCount);
    expect(res.mask.offset).toEqual(local.mask.offset);
    expect(Buffer.from(res.mask.data).equals(Buffer.from(local.mask.data))).toBe(true);
    expect(res.provenance).toEqual(local.provenance);
    expect(res.timingsMs.pipeline).toBeGreaterThan(0);
  });

  it('reports an unknown model as an error without killing the worker', async () => {
    const ph = makePhantom(spec({ semiAxesMm: [5, 5, 5] }));
    await expect(pool.run({ modelId: 'no-such-model', volume: ph.volume, prompt: { kind: 'point', pointMm: ph.centreMm } })).rejects.toThrow(/no-such-model/);
    const again = (await pool.run({ modelId: DEFAULT_LESION_MODEL_ID, volume: ph.volume, prompt: { kind: 'point', pointMm: ph.centreMm } })) as SegmentTaskResult;
    expect(again.provenance.modelId).toBe(DEFAULT_LESION_MODEL_ID);
  });
});

describe('cancelling a running segmentation', () => {
  // The platform's pool (WorkerPools, cooperativeCancel): a cancelled task stops between two model runs and its
  // thread, with its loaded session, serves the next task; nothing is terminated inside onnxruntime.
  const config = loadConfig({ ...process.env, DATA_DIR: '/nonexistent', CORELAB_WORKERS: '1', CORELAB_SECRET_KEY: 'ab'.repeat(32) });
  const pools = new WorkerPools({ threads: 1, entries: { segment: segmentationPoolOptions(config, 1) } });
  afterAll(async () => pools.close());

  it('stops the walk, rejects with an AbortError and keeps the thread', async () => {
    const small = makePhantom(spec({ semiAxesMm: [5, 5, 5] }));
    const warm = await pools.run<SegmentTaskResult>('segment', { modelId: DEFAULT_LESION_MODEL_ID, volume: small.volume, prompt: { kind: 'point', pointMm: small.centreMm } });
    expect(warm.outcome).toBe('segmented');
    const thread = pools.get('segment').threads[0];

    // a 50 mm lesion on 0.5 mm slices: a walk of about 150 model runs, far longer than the 150 ms before the cancel
    const big = makePhantom(spec({ semiAxesMm: [25, 25, 25], spacingMm: [0.8, 0.8, 0.5] }));
    const abort = new AbortController();
    const started = Date.now();
    const run = pools.run<SegmentTaskResult>('segment', { modelId: DEFAULT_LESION_MODEL_ID, volume: big.volume, prompt: { kind: 'point', pointMm: big.centreMm } }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 150);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5_000);

    const after = await pools.run<SegmentTaskResult>('segment', { modelId: DEFAULT_LESION_MODEL_ID, volume: small.volume, prompt: { kind: 'point', pointMm: small.centreMm } });
    expect(after.voxelCount).toBe(warm.voxelCount);
    expect(after.timingsMs.sessionOpen).toBe(0); // the same thread, its session still open
    expect(pools.get('segment').threads).toEqual([thread]);
  });

  it('refuses a task whose job is already cancelled without starting it', async () => {
    const small = makePhantom(spec({ semiAxesMm: [5, 5, 5] }));
    const abort = new AbortController();
    abort.abort();
    await expect(pools.run('segment', { modelId: DEFAULT_LESION_MODEL_ID, volume: small.volume, prompt: { kind: 'point', pointMm: small.centreMm } }, { signal: abort.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
