// Piscina worker: promptable lesion segmentation. Thin by design (architecture.md): it owns the per-thread
// onnxruntime sessions and calls src/segmentation for the work. Sessions open lazily, once per thread and model id,
// with the provider and intra-op threads the pool was planned with (workerData).
import { Piscina } from 'piscina';
import type { Volume } from '../src/domain/volume.js';
import { type LesionPrompt } from '../src/segmentation/lesion-prompt.js';
import { loadRegisteredModel } from '../src/segmentation/model-registry.js';
import { type ModelSession, openModelSession } from '../src/segmentation/onnx-session.js';
import { type PropagationOptions, propagateLesion } from '../src/segmentation/propagate-lesion.js';
import { type LesionMask, type LesionSegmentation, type SegmentationControl, segmentLesion } from '../src/segmentation/segment-lesion.js';
import type { SegmentWorkerConfig } from '../src/segmentation/segmentation-pool.js';

export interface SegmentTask {
  readonly modelId: string;
  /** the series (or a crop of it around the prompt); send its voxel buffer in the transfer list */
  readonly volume: Volume;
  readonly prompt: LesionPrompt;
}

export interface SegmentTaskResult extends LesionSegmentation {
  /** milliseconds in this worker: session open (first task of a thread only) and the pipeline */
  readonly timingsMs: { readonly sessionOpen: number; readonly pipeline: number };
}

const sessions = new Map<string, Promise<ModelSession>>();

function config(): SegmentWorkerConfig {
  const wd = Piscina.workerData as Partial<SegmentWorkerConfig> | undefined;
  if (!wd?.registryDir || !wd.executionProvider || !wd.intraOpThreads) {
    throw new Error('segment worker started without its SegmentWorkerConfig in workerData');
  }
  return wd as SegmentWorkerConfig;
}

function sessionFor(modelId: string): Promise<ModelSession> {
  let s = sessions.get(modelId);
  if (!s) {
    const c = config();
    s = loadRegisteredModel(c.registryDir, modelId).then((m) =>
      openModelSession(m, { executionProvider: c.executionProvider, intraOpThreads: c.intraOpThreads }),
    );
    // a failed load is not cached: the next task retries (e.g. a model file being replaced)
    s.catch(() => sessions.delete(modelId));
    sessions.set(modelId, s);
  }
  return s;
}

async function openedSession(modelId: string): Promise<{ ms: ModelSession; first: boolean }> {
  const first = !sessions.has(modelId);
  const ms = await sessionFor(modelId);
  if (first) {
    // the provider choice is logged once per thread and recorded in every result's provenance
    const why = ms.fallbackReason ? ` (${ms.fallbackReason})` : '';
    console.log(`[segment worker] model ${ms.card.id}@${ms.card.version} on ${ms.executionProvider}${why}`);
  }
  return { ms, first };
}

/** What a dispatched task receives beside its data (workers/ts-entry.mjs); absent when the pool runs this file directly. */
interface TaskStop {
  throwIfStopped(): void;
}

/** Stops between two model runs when the job is cancelled (and hosts the crash tests' fault injection). */
function controlFor(stop: TaskStop | undefined): SegmentationControl {
  const latch = config().crashMidWalk;
  let runs = 0;
  return {
    beforeInference: () => {
      stop?.throwIfStopped();
      runs += 1;
      if (latch && runs === 3 && Atomics.compareExchange(latch, 0, 0, 1) === 0) process.exit(1);
    },
  };
}

export default async function segment(task: SegmentTask, stop?: TaskStop) {
  const t0 = performance.now();
  const { ms, first } = await openedSession(task.modelId);
  const t1 = performance.now();
  const result = await segmentLesion(task.volume, task.prompt, ms, controlFor(stop));
  const t2 = performance.now();
  const out: SegmentTaskResult = { ...result, timingsMs: { sessionOpen: first ? t1 - t0 : 0, pipeline: t2 - t1 } };
  // hand the mask's buffer back by transfer, not by structured clone
  return Piscina.move({ [Piscina.transferableSymbol]: [out.mask.data.buffer], [Piscina.valueSymbol]: out } as never);
}

export interface PropagateTask {
  readonly modelId: string;
  /** the earlier series (or a crop of it covering propagationReachMm around the lesion) */
  readonly baseline: Volume;
  /** the earlier lesion on the baseline volume's grid */
  readonly baselineMask: LesionMask;
  /** the follow-up series (or a crop of it covering propagationReachMm) */
  readonly followUp: Volume;
  readonly options?: PropagationOptions;
}

/** Follow-up propagation (src/segmentation/propagate-lesion.ts) on this thread's session of the model. */
export async function propagate(task: PropagateTask, stop?: TaskStop) {
  const { ms } = await openedSession(task.modelId);
  const result = await propagateLesion(task.baseline, task.baselineMask, task.followUp, ms, task.options, controlFor(stop));
  const mask = result.segmentation?.mask.data.buffer;
  // the caller receives the LesionPropagation; the mask's buffer travels by transfer
  return mask ? Piscina.move({ [Piscina.transferableSymbol]: [mask], [Piscina.valueSymbol]: result } as never) : result;
}
