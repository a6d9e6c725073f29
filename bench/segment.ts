// Throughput of promptable lesion segmentation: VOIs/s through the Piscina pool with 1 and 2 workers (one
// onnxruntime intra-op thread each, so workers x threads fits the cores), and the same VOIs' model inputs through a
// bare onnxruntime session (one thread) in the same run. Targets: pool overhead <= 10 % (1 worker against the bare
// session), scaling from 1 to 2 workers >= 1.7x.
// Usage: npx tsx bench/segment.ts [--vois 96] [--model <id>, default DEFAULT_LESION_MODEL_ID] [--registry dir]
// The pool's workers run the whole job (VOI extraction and resampling, normalisation, inference, resampling back,
// connected component); the bare session runs inference only on inputs prepared beforehand.
import { availableParallelism } from 'node:os';
import type { Volume } from '../src/domain/volume.js';
import { DEFAULT_LESION_MODEL_ID, defaultModelRegistryDir, loadRegisteredModel } from '../src/segmentation/model-registry.js';
import { executionProviderFromEnv, openModelSession, runModel } from '../src/segmentation/onnx-session.js';
import { prepareLesionInput, segmentLesion } from '../src/segmentation/segment-lesion.js';
import { createSegmentationPool, planSegmentationPool } from '../src/segmentation/segmentation-pool.js';
import type { SegmentTask, SegmentTaskResult } from '../workers/segment.js';
import { makePhantom, phantomSuite } from './segment-phantoms.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const modelId = opt('--model', DEFAULT_LESION_MODEL_ID);
const nVois = Number(opt('--vois', '96'));
const registryDir = opt('--registry', defaultModelRegistryDir());
const executionProvider = executionProviderFromEnv();

// VOIs: lesions of every size at the 0.8 x 0.8 x 2.5 mm spacing, cycled to nVois prompts. A 2D model's prompt costs
// 5-25 model runs with the lesion's size, so a short run ends with one worker finishing a large lesion alone: 96
// prompts keep that tail small against the steady state a reading session sees.
const specs = phantomSuite().filter((s) => s.name.includes('0.8x0.8x2.5'));
const phantoms = specs.map(makePhantom);
const jobs = Array.from({ length: nVois }, (_, i) => phantoms[i % phantoms.length]);
const copyVolume = (v: Volume): Volume => ({ ...v, voxels: new Float32Array(v.voxels) });

const model = await loadRegisteredModel(registryDir, modelId);

// bare onnxruntime: same model, one thread, inputs prepared before timing. A 2D model walks the slices, each slice's
// prompt the previous slice's output, so its inputs cannot be prepared beforehand: its baseline is the whole
// pipeline in this process on one session (the pool's overhead over the same work).
const bare = await openModelSession(model, { executionProvider, intraOpThreads: 1 });
let t0 = 0;
let bareRate: number;
if (model.card.input.layout === 'NCHW') {
  const prompt = (p: (typeof jobs)[number]) => ({ kind: 'point' as const, pointMm: p.centreMm });
  await segmentLesion(jobs[0].volume, prompt(jobs[0]), bare);
  t0 = performance.now();
  for (const p of jobs) await segmentLesion(p.volume, prompt(p), bare);
  bareRate = (jobs.length * 1000) / (performance.now() - t0);
  console.log(`in-process pipeline on one session (1 thread, ${bare.executionProvider}, 2D slice walk): ${bareRate.toFixed(3)} prompts/s`);
} else {
  const inputs = jobs.map((p) => prepareLesionInput(p.volume, { kind: 'point', pointMm: p.centreMm }, model.card).tensor);
  await runModel(bare, inputs[0]);
  t0 = performance.now();
  for (const x of inputs) await runModel(bare, x);
  bareRate = (inputs.length * 1000) / (performance.now() - t0);
  console.log(`bare onnxruntime session (1 thread, ${bare.executionProvider}): ${bareRate.toFixed(3)} VOIs/s`);
}

async function poolRate(workers: number): Promise<{ rate: number; pipelineMs: number }> {
  const plan = planSegmentationPool(availableParallelism(), { workers, intraOpThreads: 1 });
  const pool = createSegmentationPool(plan, { registryDir, executionProvider });
  const run = (p: (typeof jobs)[number]) => {
    const task: SegmentTask = { modelId, volume: copyVolume(p.volume), prompt: { kind: 'point', pointMm: p.centreMm } };
    return pool.run(task, { transferList: [task.volume.voxels.buffer as ArrayBuffer] }) as Promise<SegmentTaskResult>;
  };
  // warm-up: once every thread is up (a task sent earlier would all go to the first), each opens its session and
  // runs the pipeline a few times, so neither a session open nor a thread's cold JIT lands in the timed run
  while (pool.threads.length < plan.workers) await new Promise((r) => setTimeout(r, 20));
  await Promise.all(Array.from({ length: 4 * plan.workers }, (_, i) => run(jobs[i % jobs.length])));
  t0 = performance.now();
  const results = await Promise.all(jobs.map(run));
  const rate = (jobs.length * 1000) / (performance.now() - t0);
  await pool.destroy();
  const pipelineMs = results.reduce((a, r) => a + r.timingsMs.pipeline, 0) / results.length;
  const ep = results[0].provenance.executionProvider;
  console.log(`pool ${plan.workers} worker(s) x ${plan.intraOpThreads} thread(s) (${ep}): ${rate.toFixed(3)} VOIs/s, mean pipeline ${pipelineMs.toFixed(0)} ms/VOI`);
  return { rate, pipelineMs };
}

const one = await poolRate(1);
const two = await poolRate(2);
const overheadPct = 100 * (1 - one.rate / bareRate);
const scaling = two.rate / one.rate;
console.log(`pool overhead (1 worker vs bare session): ${overheadPct.toFixed(1)} % (target <= 10 %); scaling 1 -> 2 workers: ${scaling.toFixed(2)}x (target >= 1.7x); cores ${availableParallelism()}`);
console.log(
  JSON.stringify({
    bench: 'segment',
    unit: model.card.input.layout === 'NCHW' ? 'prompts/s' : 'VOIs/s',
    value: Number(two.rate.toFixed(4)),
    baseline: { name: 'onnxruntime', value: Number(bareRate.toFixed(4)) },
    ratio: Number((two.rate / bareRate).toFixed(4)),
    workers1: Number(one.rate.toFixed(4)),
    workers2: Number(two.rate.toFixed(4)),
    overheadPct: Number(overheadPct.toFixed(2)),
    scaling: Number(scaling.toFixed(3)),
    vois: jobs.length,
    voiSize: model.card.input.sizeVoxels,
    executionProvider: bare.executionProvider,
  }),
);
