import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Actor, AuditRecord } from '../audit/audit-log.js';
import type { Trx } from '../db/connect.js';
import { type ServiceContext, inTransaction } from '../services/service-context.js';
import { storageFullError } from '../storage/storage-full.js';
import { type Job, claimJob, finishJob, heartbeat, releaseAfterFailure, releaseForStorage } from './job-queue.js';
import type { WorkerPools } from './worker-pools.js';

/** What a handler may use: the pool for heavy work, progress, cancellation, and a commit that finishes the job. */
export interface JobTools {
  ctx: ServiceContext;
  pools: WorkerPools;
  signal: AbortSignal;
  progress(fraction: number): Promise<void>;
  /**
   * Stores the job's effects and marks it succeeded in one transaction, only while this runner holds the
   * lease: a job re-run after a crash commits its effect once. With `failed`, the effects record a deterministic
   * failure (bad input, not worth retrying) and the job is marked failed with that error, so both show it.
   */
  commit(work: (trx: Trx, audit: (rec: AuditRecord) => void, now: Date) => Promise<unknown>, outcome?: { failed: string }): Promise<void>;
}

export type JobHandler = (job: Job, tools: JobTools) => Promise<void>;

export interface RunnerOptions {
  handlers: Record<string, JobHandler>;
  pools: WorkerPools;
  /** concurrent jobs in this runner (the pool bounds CPU work separately) */
  concurrency?: number;
}

export const JOB_ACTOR: Actor = { userId: null, name: 'Corelab job runner', role: 'system' };

/** Crash injection for the fault tests (FLT-02): the process kills itself at a named point. */
function crashPoint(ctx: ServiceContext, name: string): void {
  if (ctx.config.crashAt === name) process.kill(process.pid, 'SIGKILL');
}

export class JobRunner {
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  #stopped = true;
  #active = new Set<Promise<void>>();
  #wake?: () => void;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly opts: RunnerOptions,
  ) {}

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    void this.#loop();
  }

  /** Wakes the claim loop at once (after an enqueue in this process). */
  poke(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await Promise.allSettled([...this.#active]);
  }

  async #loop(): Promise<void> {
    const types = Object.keys(this.opts.handlers);
    const concurrency = this.opts.concurrency ?? Math.max(1, this.opts.pools.maxThreads);
    // While the database is down (restarting, full) claims fail: log the first failure and the recovery, and poll
    // less often meanwhile (up to every 5 s) rather than logging every poll.
    let failing = 0;
    while (!this.#stopped) {
      let claimed: Job | undefined;
      if (this.#active.size < concurrency) {
        try {
          claimed = await claimJob(this.ctx, this.owner, types);
          if (failing > 0) console.error(JSON.stringify({ level: 'info', event: 'job.claim_recovered', failedPolls: failing }));
          failing = 0;
        } catch (e) {
          if (failing === 0) console.error(JSON.stringify({ level: 'error', event: 'job.claim_failed', error: String(e) }));
          failing += 1;
        }
      }
      if (claimed) {
        const p = this.#run(claimed).finally(() => {
          this.#active.delete(p);
          this.#wake?.();
        });
        this.#active.add(p);
        continue;
      }
      await new Promise<void>((resolve) => {
        const pollMs = this.ctx.config.jobs.pollMs;
        // back-off while claims fail, up to 5 s (or the configured poll, when that is longer)
        const t = setTimeout(resolve, Math.min(Math.max(5000, pollMs), pollMs * 2 ** Math.min(failing, 10)));
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  async #run(job: Job): Promise<void> {
    const handler = this.opts.handlers[job.type];
    const abort = new AbortController();
    let lost = false;
    const beat = setInterval(async () => {
      try {
        const hb = await heartbeat(this.ctx, job.id, this.owner);
        if (!hb.held) lost = true;
        if (!hb.held || hb.cancelRequested) abort.abort();
      } catch {
        /* the next beat retries */
      }
    }, Math.max(200, (this.ctx.config.jobs.leaseSeconds * 1000) / 3));
    beat.unref();
    const tools: JobTools = {
      ctx: this.ctx,
      pools: this.opts.pools,
      signal: abort.signal,
      progress: async (f) => {
        const hb = await heartbeat(this.ctx, job.id, this.owner, Math.max(0, Math.min(1, f)));
        if (!hb.held || hb.cancelRequested) abort.abort();
      },
      commit: async (work, outcome) => {
        crashPoint(this.ctx, 'job_before_commit');
        await inTransaction(this.ctx, JOB_ACTOR, async (trx, audit, now) => {
          const result = await work(trx, audit, now);
          const finished = outcome ? { state: 'failed' as const, result, error: outcome.failed } : { state: 'succeeded' as const, result };
          const ok = await finishJob(trx, job.id, this.owner, finished, now);
          // Lease lost: roll back so the runner that holds it now is the only one to commit.
          if (!ok) throw new LeaseLostError(job.id);
        });
      },
    };
    try {
      await handler(job, tools);
    } catch (e) {
      if (e instanceof LeaseLostError || lost) return;
      if (abort.signal.aborted) {
        await inTransaction(this.ctx, JOB_ACTOR, async (trx, audit, now) => {
          if (await finishJob(trx, job.id, this.owner, { state: 'cancelled', error: 'cancelled on request' }, now)) {
            audit({ action: 'job.cancel', entityType: 'job', entityId: job.id, trialId: job.trialId });
          }
        });
        return;
      }
      try {
        const full = storageFullError(e);
        if (full) await releaseForStorage(this.ctx, job, this.owner, full.detail, this.ctx.config.jobs.storageRetrySeconds);
        else await releaseAfterFailure(this.ctx, job, this.owner, e instanceof Error ? e.message : String(e));
      } catch (recordError) {
        // The database itself is failing (full, or unreachable): the job stays leased, and once the lease expires
        // it runs again, as after a crash. Never let this escape: an unhandled rejection would end the process.
        console.error(JSON.stringify({ level: 'error', event: 'job.release_failed', jobId: job.id, error: String(recordError), cause: String(e) }));
      }
    } finally {
      clearInterval(beat);
    }
  }
}

class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`lease on job ${jobId} was lost`);
  }
}
