// Planning of the pool that runs workers/segment.ts. Workers and onnxruntime intra-op threads are sized together so
// that workers x threads never exceeds the cores: oversubscribing makes every inference slower, not more parallel.
// The platform's pool is the 'segment' entry of src/jobs/worker-pools.ts, planned here (segmentationPoolOptions);
// createSegmentationPool is a stand-alone pool of the same worker for the benchmarks and the worker's own tests.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ExecutionProvider } from './execution-provider.js';

export interface SegmentationPoolPlan {
  readonly workers: number;
  readonly intraOpThreads: number;
}

/** Workers x threads <= cores. With a requested worker count, threads take what is left; otherwise one thread each. */
export function planSegmentationPool(cores: number, requested: { workers?: number; intraOpThreads?: number } = {}): SegmentationPoolPlan {
  const c = Math.max(1, Math.floor(cores));
  if (requested.workers !== undefined && requested.intraOpThreads !== undefined) {
    const workers = Math.max(1, Math.min(c, Math.floor(requested.workers)));
    return { workers, intraOpThreads: Math.max(1, Math.min(Math.floor(requested.intraOpThreads), Math.floor(c / workers))) };
  }
  if (requested.workers !== undefined) {
    const workers = Math.max(1, Math.min(c, Math.floor(requested.workers)));
    return { workers, intraOpThreads: Math.max(1, Math.floor(c / workers)) };
  }
  if (requested.intraOpThreads !== undefined) {
    const intraOpThreads = Math.max(1, Math.min(c, Math.floor(requested.intraOpThreads)));
    return { workers: Math.max(1, Math.floor(c / intraOpThreads)), intraOpThreads };
  }
  return { workers: c, intraOpThreads: 1 };
}

/** What every worker thread receives once (workerData). */
export interface SegmentWorkerConfig {
  readonly registryDir: string;
  readonly executionProvider: ExecutionProvider;
  readonly intraOpThreads: number;
  /**
   * Fault injection (CORELAB_CRASH_AT=segment_worker_mid_walk, for the crash tests): the first thread of the pool
   * to reach its third model run of a task ends itself there, once per pool (the shared latch), as a thread dying
   * mid-job would.
   */
  readonly crashMidWalk?: Int32Array;
}

export function segmentWorkerFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const ts = path.resolve(here, '../../workers/segment.ts');
  return ts;
}

export function createSegmentationPool(
  plan: SegmentationPoolPlan,
  config: Omit<SegmentWorkerConfig, 'intraOpThreads'>,
): Piscina {
  const filename = segmentWorkerFile();
  const workerData: SegmentWorkerConfig = { ...config, intraOpThreads: plan.intraOpThreads };
  return new Piscina({
    filename,
    minThreads: plan.workers,
    maxThreads: plan.workers,
    // one job per worker at a time: a worker's inference already uses its threads
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
    workerData,
    // the worker is TypeScript: threads inherit tsx from a process started with it, else load it (a dependency)
    execArgv: process.execArgv.some((a) => a.includes('tsx')) ? process.execArgv : [...process.execArgv, '--import', 'tsx'],
  });
}

export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
