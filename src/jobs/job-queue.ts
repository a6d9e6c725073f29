import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { JobsTable } from '../db/schema.js';
import { DomainError } from '../domain/errors.js';
import type { ServiceContext } from '../services/service-context.js';
import type { Trx } from '../db/connect.js';

// Durable job queue: a job is a row before it is work (architecture doc). A runner claims a job by taking a
// lease; a crashed runner's lease expires and the job runs again, so every handler must be idempotent.
export interface Job {
  id: string;
  trialId: string | null;
  type: string;
  payload: any;
  state: JobsTable['state'];
  attempts: number;
  maxAttempts: number;
  progress: number;
  result: unknown;
  error: string | null;
  cancelRequested: boolean;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  leaseOwner: string | null;
}

export function jobRowToJob(r: JobsTable): Job {
  return {
    id: r.id,
    trialId: r.trial_id,
    type: r.type,
    payload: JSON.parse(r.payload_json),
    state: r.state,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    progress: Number(r.progress),
    result: r.result_json === null ? null : JSON.parse(r.result_json),
    error: r.error,
    cancelRequested: Number(r.cancel_requested) === 1,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    leaseOwner: r.lease_owner,
  };
}

/** The public view of a job (no lease internals). */
export function jobView(j: Job) {
  const { payload: _p, leaseOwner: _l, cancelRequested: _c, createdBy: _b, maxAttempts: _m, ...view } = j;
  return view;
}

export interface NewJob {
  type: string;
  trialId?: string | null;
  payload: unknown;
  createdBy?: string | null;
  maxAttempts?: number;
  /** queue bound for this job type (default: config.jobs.maxQueued) */
  maxQueued?: number;
}

/** Transactions that enqueued a job: once one commits, inTransaction wakes this process's runner. */
const enqueuedIn = new WeakSet<Trx>();
export const enqueuedJobIn = (trx: Trx): boolean => enqueuedIn.has(trx);

/** Enqueues inside the caller's transaction, so the job exists exactly when the change that needs it commits. */
export async function enqueueJob(trx: Trx, ctx: ServiceContext, job: NewJob, now: Date): Promise<Job> {
  enqueuedIn.add(trx);
  // Back-pressure: refuse new work rather than letting the queue grow without bound.
  const queued = await trx
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('type', '=', job.type)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirstOrThrow();
  if (Number(queued.n) >= (job.maxQueued ?? ctx.config.jobs.maxQueued)) {
    throw new DomainError('RATE_LIMITED', `the ${job.type} queue is full (${queued.n} jobs); retry shortly`, { retryAfterSeconds: 30 });
  }
  const at = now.toISOString();
  const row: JobsTable = {
    id: randomUUID(),
    trial_id: job.trialId ?? null,
    type: job.type,
    payload_json: JSON.stringify(job.payload),
    state: 'queued',
    attempts: 0,
    max_attempts: job.maxAttempts ?? 3,
    lease_owner: null,
    lease_expires_at: null,
    run_after: at,
    progress: 0,
    result_json: null,
    error: null,
    cancel_requested: 0,
    created_by: job.createdBy ?? null,
    created_at: at,
    updated_at: at,
    finished_at: null,
  };
  await trx.insertInto('jobs').values(row).execute();
  return jobRowToJob(row);
}

/**
 * Claims the oldest runnable job: queued, or running with an expired lease (its runner died). PostgreSQL uses
 * FOR UPDATE SKIP LOCKED so several runners on several machines never take the same job; SQLite has a single
 * writer, so the one UPDATE statement is the claim.
 */
export async function claimJob(ctx: ServiceContext, owner: string, types: readonly string[]): Promise<Job | undefined> {
  const now = ctx.now();
  const at = now.toISOString();
  const leaseUntil = new Date(now.getTime() + ctx.config.jobs.leaseSeconds * 1000).toISOString();
  const lock = ctx.dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const result = await sql<JobsTable>`
    UPDATE jobs SET state = 'running', lease_owner = ${owner}, lease_expires_at = ${leaseUntil},
      attempts = attempts + 1, updated_at = ${at}
    WHERE id = (
      SELECT id FROM jobs
      WHERE type IN (${sql.join(types.map((t) => sql`${t}`))}) AND run_after <= ${at}
        AND (state = 'queued' OR (state = 'running' AND lease_expires_at < ${at}))
      ORDER BY created_at, id LIMIT 1 ${lock}
    )
    RETURNING *`.execute(ctx.db);
  const row = result.rows[0];
  return row ? jobRowToJob(row) : undefined;
}

/** Extends the lease while work goes on; returns false when the lease was lost (another runner took over). */
export async function heartbeat(ctx: ServiceContext, jobId: string, owner: string, progress?: number): Promise<{ held: boolean; cancelRequested: boolean }> {
  const now = ctx.now();
  const res = await ctx.db
    .updateTable('jobs')
    .set({
      lease_expires_at: new Date(now.getTime() + ctx.config.jobs.leaseSeconds * 1000).toISOString(),
      updated_at: now.toISOString(),
      ...(progress !== undefined ? { progress } : {}),
    })
    .where('id', '=', jobId)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'running')
    .executeTakeFirst();
  const row = await ctx.db.selectFrom('jobs').select('cancel_requested').where('id', '=', jobId).executeTakeFirst();
  return { held: Number(res.numUpdatedRows) === 1, cancelRequested: Number(row?.cancel_requested ?? 0) === 1 };
}

/**
 * Marks the job finished inside the transaction that stores its effects: only the lease holder can, so a job
 * whose runner died and was re-run commits its effect once.
 */
export async function finishJob(trx: Trx, jobId: string, owner: string, outcome: { state: 'succeeded' | 'failed' | 'cancelled'; result?: unknown; error?: string }, now: Date): Promise<boolean> {
  const res = await trx
    .updateTable('jobs')
    .set({
      state: outcome.state,
      result_json: outcome.result === undefined ? null : JSON.stringify(outcome.result),
      error: outcome.error ?? null,
      progress: outcome.state === 'succeeded' ? 1 : undefined,
      lease_owner: null,
      lease_expires_at: null,
      finished_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .where('id', '=', jobId)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** A failed attempt goes back to the queue (with backoff) until max attempts, then fails for good. */
export async function releaseAfterFailure(ctx: ServiceContext, job: Job, owner: string, error: string): Promise<void> {
  const now = ctx.now();
  const final = job.attempts >= job.maxAttempts;
  await ctx.db
    .updateTable('jobs')
    .set({
      state: final ? 'failed' : 'queued',
      error,
      lease_owner: null,
      lease_expires_at: null,
      run_after: new Date(now.getTime() + (final ? 0 : 2 ** job.attempts * 1000)).toISOString(),
      updated_at: now.toISOString(),
      finished_at: final ? now.toISOString() : null,
    })
    .where('id', '=', job.id)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * A job that failed for lack of space (disk or database full) waits for space: back to the queue without spending
 * an attempt (a full disk says nothing about the job), retried after `retrySeconds`, with the reason in `error`.
 */
export async function releaseForStorage(ctx: ServiceContext, job: Job, owner: string, detail: string, retrySeconds: number): Promise<void> {
  const now = ctx.now();
  await ctx.db
    .updateTable('jobs')
    .set({
      state: 'queued',
      attempts: Math.max(0, job.attempts - 1),
      error: `waiting for storage: ${detail}`,
      lease_owner: null,
      lease_expires_at: null,
      run_after: new Date(now.getTime() + retrySeconds * 1000).toISOString(),
      updated_at: now.toISOString(),
    })
    .where('id', '=', job.id)
    .where('lease_owner', '=', owner)
    .execute();
}

export async function getJob(ctx: ServiceContext, jobId: string): Promise<Job> {
  const row = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `job ${jobId} not found`);
  return jobRowToJob(row);
}

/** Cancels a queued job at once; a running one is asked to stop at its next heartbeat. */
export async function requestCancel(ctx: ServiceContext, jobId: string): Promise<Job> {
  const now = ctx.now().toISOString();
  const job = await getJob(ctx, jobId);
  if (job.state === 'queued') {
    await ctx.db.updateTable('jobs').set({ state: 'cancelled', cancel_requested: 1, finished_at: now, updated_at: now }).where('id', '=', jobId).where('state', '=', 'queued').execute();
  } else if (job.state === 'running') {
    await ctx.db.updateTable('jobs').set({ cancel_requested: 1, updated_at: now }).where('id', '=', jobId).execute();
  } else {
    throw new DomainError('CONFLICT', `job is already ${job.state}`);
  }
  return getJob(ctx, jobId);
}
