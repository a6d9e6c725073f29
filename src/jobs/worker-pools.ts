import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Config } from '../config.js';
import { type SegmentWorkerConfig, availableCores, planSegmentationPool } from '../segmentation/segmentation-pool.js';

export const WORKERS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workers');

/** Piscina entry points under workers/ (thin: they call into src/). */
export const WORKER_ENTRIES = ['integrity', 'ingest', 'export', 'segment'] as const;
export type WorkerEntry = (typeof WORKER_ENTRIES)[number] | (string & {});

/** An entry whose pool is planned for its work rather than sized like the others (the segmentation pool). */
export interface EntryPoolOptions {
  threads: number;
  /** handed to every thread once (Piscina.workerData) */
  workerData?: unknown;
  /** how long an idle thread (and what it loaded, e.g. model sessions) is kept */
  idleTimeoutMs?: number;
  /** said once, when the pool starts */
  startMessage?: Record<string, unknown>;
  /** keep every thread alive once started (a server's ingest pools: a thread start costs ~0.5 s of CPU) */
  keepThreads?: boolean;
  /** tasks a thread takes at once: more than one lets a task's file I/O (reads, fsync) overlap another's parsing */
  tasksPerThread?: number;
  /**
   * Cancellation asks instead of terminating: the task gets a stop flag (TaskStop, workers/ts-entry.mjs) that it
   * checks between steps, and its thread lives on. For work inside a native library (onnxruntime), where
   * terminating the thread mid-call can take the process down with it.
   */
  cooperativeCancel?: boolean;
}

export interface PoolOptions {
  threads: number;
  /** extra environment for worker threads (e.g. onnxruntime intra-op threads) */
  env?: Record<string, string>;
  entries?: Partial<Record<WorkerEntry, EntryPoolOptions>>;
}

/**
 * The segmentation pool's plan: workers x onnxruntime intra-op threads fit the cores (planSegmentationPool), and
 * every thread learns the registry, the execution provider asked for and its thread count through workerData.
 */
export function segmentationPoolOptions(config: Config, cores = availableCores()): EntryPoolOptions {
  const plan = planSegmentationPool(cores, { workers: config.pool.workers, intraOpThreads: config.pool.intraOpThreads });
  const workerData: SegmentWorkerConfig = {
    registryDir: config.segmentation.registryDir,
    executionProvider: config.segmentation.executionProvider,
    intraOpThreads: plan.intraOpThreads,
    ...(config.crashAt === 'segment_worker_mid_walk' ? { crashMidWalk: new Int32Array(new SharedArrayBuffer(4)) } : {}),
  };
  return {
    threads: plan.workers,
    workerData,
    cooperativeCancel: true,
    // a thread keeps its onnxruntime sessions while it lives: keep it through a reading session's pauses
    idleTimeoutMs: 10 * 60_000,
    startMessage: config.logLevel === 'warn' || config.logLevel === 'error' ? undefined : {
      event: 'segmentation.pool',
      workers: plan.workers,
      intraOpThreads: plan.intraOpThreads,
      cores,
      executionProvider: workerData.executionProvider,
      registryDir: workerData.registryDir,
      // the provider that actually runs (CUDA may fall back to CPU) is logged by each thread and stored per result
    },
  };
}

/**
 * The ingest pools (the job runner's and the upload requests'): their threads stay once started, and each takes
 * two files at a time so one file's fsync does not leave its thread idle.
 */
export function ingestPoolOptions(config: Config): EntryPoolOptions {
  return { threads: config.pool.workers, keepThreads: true, tasksPerThread: 2 };
}

/**
 * One Piscina pool per worker entry, created on first use, so each kind of work has its own thread budget.
 * Workers run the TypeScript sources through tsx's loader. Heavy work never runs on the API's event loop.
 */
export class WorkerPools {
  readonly #pools = new Map<string, Piscina>();
  constructor(private readonly options: PoolOptions) {}

  get(entry: WorkerEntry): Piscina {
    let pool = this.#pools.get(entry);
    if (!pool) {
      const own = this.options.entries?.[entry];
      pool = new Piscina({
        // A plain-ESM bootstrap installs tsx in the thread and dispatches to workers/<entry>.ts.
        filename: path.join(WORKERS_DIR, 'ts-entry.mjs'),
        minThreads: own?.keepThreads ? own.threads : 0,
        concurrentTasksPerWorker: own?.tasksPerThread ?? 1,
        maxThreads: own?.threads ?? this.options.threads,
        idleTimeout: own?.idleTimeoutMs ?? 30_000,
        env: { ...process.env, ...this.options.env },
        ...(own?.workerData !== undefined ? { workerData: own.workerData } : {}),
        // Caps the JS heap of a worker; ArrayBuffers are not counted, so parsers keep their own caps (SEC-05).
        resourceLimits: { maxOldGenerationSizeMb: 2048 },
      });
      if (own?.startMessage) console.log(JSON.stringify({ level: 'info', ...own.startMessage }));
      this.#pools.set(entry, pool);
    }
    return pool;
  }

  /** Runs `name` (default export when absent) of workers/<entry>.ts on a thread of that entry's pool. */
  run<T>(entry: WorkerEntry, task: unknown, opts: { name?: string; signal?: AbortSignal; transferList?: any[] } = {}): Promise<T> {
    const { signal, transferList } = opts;
    if (!this.options.entries?.[entry]?.cooperativeCancel || !signal) {
      return this.get(entry).run({ entry, name: opts.name, task }, { signal, transferList });
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const ask = () => Atomics.store(stop, 0, 1);
    signal.addEventListener('abort', ask, { once: true });
    return this.get(entry)
      .run({ entry, name: opts.name, task, stop }, { transferList })
      // the worker's AbortError arrives as a plain Error: answer with the signal's own reason, as Piscina would
      .catch((e) => Promise.reject(signal.aborted ? signal.reason : e))
      .finally(() => signal.removeEventListener('abort', ask));
  }

  /**
   * Starts every thread of `entry`'s pool and has each load the entry's code, so the first task does not pay for
   * it (a server calls this before it listens).
   */
  async warm(entry: WorkerEntry): Promise<void> {
    await Promise.all(Array.from({ length: this.threadsOf(entry) }, () => this.run(entry, null, { name: 'warm' })));
  }

  stats(): { threads: number; queued: number } {
    let threads = 0;
    let queued = 0;
    for (const p of this.#pools.values()) {
      threads += p.threads.length;
      queued += p.queueSize;
    }
    return { threads, queued };
  }

  get maxThreads(): number {
    return this.options.threads;
  }

  /** The thread budget of one entry's pool (planned entries may differ from the default). */
  threadsOf(entry: WorkerEntry): number {
    return this.options.entries?.[entry]?.threads ?? this.options.threads;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((p) => p.destroy()));
    this.#pools.clear();
  }
}
