import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

export const WORKERS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workers');

/** Piscina entry points under workers/ (thin: they call into src/). */
export const WORKER_ENTRIES = ['integrity', 'ingest'] as const;
export type WorkerEntry = (typeof WORKER_ENTRIES)[number] | (string & {});

export interface PoolOptions {
  threads: number;
  /** extra environment for worker threads (e.g. onnxruntime intra-op threads) */
  env?: Record<string, string>;
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
      pool = new Piscina({
        // A plain-ESM bootstrap installs tsx in the thread and dispatches to workers/<entry>.ts.
        filename: path.join(WORKERS_DIR, 'ts-entry.mjs'),
        minThreads: 0,
        maxThreads: this.options.threads,
        idleTimeout: 30_000,
        env: { ...process.env, ...this.options.env },
        // Caps the JS heap of a worker; ArrayBuffers are not counted, so parsers keep their own caps (SEC-05).
        resourceLimits: { maxOldGenerationSizeMb: 2048 },
      });
      this.#pools.set(entry, pool);
    }
    return pool;
  }

  /** Runs `name` (default export when absent) of workers/<entry>.ts on a thread of that entry's pool. */
  run<T>(entry: WorkerEntry, task: unknown, opts: { name?: string; signal?: AbortSignal; transferList?: any[] } = {}): Promise<T> {
    return this.get(entry).run({ entry, name: opts.name, task }, { signal: opts.signal, transferList: opts.transferList });
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

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((p) => p.destroy()));
    this.#pools.clear();
  }
}
