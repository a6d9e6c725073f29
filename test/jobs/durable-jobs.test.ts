// @req FLT-02: a job whose runner process is killed mid-job is retried after its lease expires and commits its
// effect exactly once; jobs are visible, cancellable and bounded.
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTEGRITY_JOB } from '../../src/jobs/integrity-job.js';
import { enqueueJob, getJob } from '../../src/jobs/job-queue.js';
import { SYSTEM_ACTOR, inTransaction } from '../../src/services/service-context.js';
import { DIALECT, type TestPlatform, createTestPlatform, seedUser } from '../helpers/test-platform.js';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`durable jobs (${DIALECT})`, () => {
  let p: TestPlatform;
  beforeEach(async () => {
    p = await createTestPlatform({ env: { JOB_LEASE_SECONDS: '2' } });
  });
  afterEach(async () => p?.dispose());

  const enqueueIntegrity = async (sha256: string) =>
    inTransaction(p.ctx, SYSTEM_ACTOR, async (trx, _a, now) => (await enqueueJob(trx, p.ctx, { type: INTEGRITY_JOB, payload: { sha256 } }, now)).id);

  it('re-runs a job whose runner was killed mid-job and records one result, not two', async () => {
    const blob = await p.blobs.put(Buffer.alloc(4 * 1024 * 1024, 7));
    const jobId = await enqueueIntegrity(blob.sha256);

    // A separate runner process claims the job, does the work in its pool, and is killed (SIGKILL) between
    // finishing the work and committing it: the worst moment.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'jobs', 'run'], {
      env: { ...process.env, ...p.env, CORELAB_CRASH_AT: 'job_before_commit' },
      stdio: 'ignore',
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    const orphan = await getJob(p.ctx, jobId);
    expect(orphan).toMatchObject({ state: 'running', attempts: 1 });

    // A fresh runner takes the job over once the dead runner's lease has expired.
    p.runner.start();
    const done = await waitFor('job to succeed', async () => {
      const j = await getJob(p.ctx, jobId);
      return j.state === 'succeeded' ? j : undefined;
    });
    expect(done.attempts).toBe(2);
    expect(done.result).toMatchObject({ sha256: blob.sha256, matches: true, bytes: 4 * 1024 * 1024 });
    const effects = await p.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'integrity.verify').where('entity_id', '=', blob.sha256).execute();
    expect(effects).toHaveLength(1);
  });

  it('shows state and progress over the API, hides the job from non-members, and cancels a queued job', async () => {
    await seedUser(p, 'root', { admin: true });
    await seedUser(p, 'stranger');
    const admin = await p.login('root');
    const stranger = await p.login('stranger');
    const jobId = await enqueueIntegrity('a'.repeat(64));
    const view = await p.request('GET', `/jobs/${jobId}`, { token: admin });
    expect(view.status).toBe(200);
    expect(await view.json()).toMatchObject({ id: jobId, state: 'queued', progress: 0, attempts: 0 });
    expect((await p.request('GET', `/jobs/${jobId}`, { token: stranger })).status).toBe(404);
    const cancel = await p.request('DELETE', `/jobs/${jobId}`, { token: admin });
    expect(cancel.status).toBe(202);
    expect((await cancel.json()).state).toBe('cancelled');
    expect((await p.request('DELETE', `/jobs/${jobId}`, { token: admin })).status).toBe(409);
  });

  it('retries a failing job with back-off and fails it for good after its last attempt', async () => {
    const jobId = await enqueueIntegrity('b'.repeat(64)); // no such blob: the handler fails every time
    await p.ctx.db.updateTable('jobs').set({ max_attempts: 2 }).where('id', '=', jobId).execute();
    p.runner.start();
    const failed = await waitFor('job to fail', async () => {
      const j = await getJob(p.ctx, jobId);
      return j.state === 'failed' ? j : undefined;
    });
    expect(failed.attempts).toBe(2);
    expect(failed.error).toMatch(/missing from the store/);
  });

  it('refuses new work when the queue is full (back-pressure)', async () => {
    const small = await createTestPlatform({ env: { JOB_MAX_QUEUED: '2' } });
    try {
      const add = () => inTransaction(small.ctx, SYSTEM_ACTOR, async (trx, _a, now) => enqueueJob(trx, small.ctx, { type: INTEGRITY_JOB, payload: {} }, now));
      await add();
      await add();
      await expect(add()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    } finally {
      await small.dispose();
    }
  });
});
