// @req FLT-02: a segmentation job whose runner process is killed mid-job (SIGKILL after the model ran, before the
// commit), and one whose segmentation worker thread dies under it (between two model runs of its slice walk), both
// complete after the restart or retry with exactly one result: one segmentation row done, one completion event, not
// two. (The thread ends itself through the CORELAB_CRASH_AT fault injection: terminating it from outside while it is
// inside onnxruntime can take the whole process down, which is why cancellation is cooperative too.)
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJob } from '../../src/jobs/job-queue.js';
import { uploadVisitThroughApi } from '../helpers/ingest-fixture.js';
import { type ReadingTrial, STANDARD_VISITS, addSubject, setupReadingTrial } from '../helpers/reading-fixture.js';
import { DIALECT, type TestPlatform, createTestPlatform, grant, seedUser } from '../helpers/test-platform.js';

const NODULE = { centerMm: [-40, -5, 35] as [number, number, number], diameterMm: 16 };

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

interface CrashSetup {
  p: TestPlatform;
  t: ReadingTrial;
  seriesId: string;
  r1: string;
}

async function crashSetup(code: string, env: Record<string, string>): Promise<CrashSetup> {
  const p = await createTestPlatform({ env: { JOB_LEASE_SECONDS: '2', ...env } });
  const t = await setupReadingTrial(p, { code });
  const { subjectId, timepointIds } = await addSubject(p, t, 'CRASH-001', STANDARD_VISITS.slice(0, 1));
  const sponsor = await seedUser(p, 'sponsor-crash');
  await grant(p, t.trialId, sponsor.id, 'sponsor');
  p.runner.start(); // for the ingest job only
  await uploadVisitThroughApi(p, {
    trialId: t.trialId, subjectId, timepointId: timepointIds[0], token: await p.login('sponsor-crash'), studyDate: '20240108', label: 'crash',
    series: { slices: 30, columns: 128, rows: 128, pixelSpacingMm: 1.5, sliceThicknessMm: 2.5, lesions: [NODULE] },
  });
  await p.runner.stop();
  const r1 = (await p.ctx.db.selectFrom('reader_assignments').select('user_id').where('subject_id', '=', subjectId).where('reader_no', '=', 1).executeTakeFirstOrThrow()).user_id;
  const seriesId = (await p.ctx.db.selectFrom('series').select('id').where('timepoint_id', '=', timepointIds[0]).executeTakeFirstOrThrow()).id;
  return { p, t, seriesId, r1 };
}

async function request({ p, t, seriesId, r1 }: CrashSetup): Promise<{ id: string; jobId: string }> {
  const res = await p.request('POST', `/trials/${t.trialId}/series/${seriesId}/segmentations`, { token: t.tokens[r1], body: { prompt: { kind: 'point', pointMm: NODULE.centerMm } } });
  expect(res.status, await res.clone().text()).toBe(202);
  return res.json();
}

async function effects({ p }: CrashSetup, segmentationId: string, jobId: string) {
  const rows = await p.ctx.db.selectFrom('segmentations').select(['id', 'state', 'outcome']).where('job_id', '=', jobId).execute();
  const completions = await p.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'segmentation.complete').where('entity_id', '=', segmentationId).execute();
  return { rows, completions: completions.length };
}

async function waitForSuccess({ p }: CrashSetup, jobId: string) {
  return waitFor('the job to succeed', async () => {
    const j = await getJob(p.ctx, jobId);
    return j.state === 'succeeded' ? j : undefined;
  });
}

describe(`segmentation jobs survive a killed runner process (${DIALECT})`, () => {
  let s: CrashSetup;
  beforeAll(async () => {
    s = await crashSetup('SEG-CRASH', {});
  }, 180_000);
  afterAll(async () => s?.p.dispose());

  it('re-runs the job of a runner killed between inference and commit and stores one result', async () => {
    const { p, t, r1 } = s;
    const seg = await request(s);
    // A separate runner process claims the job, loads the series, runs the model in its segment pool, and is
    // killed (SIGKILL) just before committing: the worst moment.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'jobs', 'run'], {
      env: { ...process.env, ...p.env, CORELAB_CRASH_AT: 'job_before_commit' },
      stdio: 'ignore',
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    expect(await getJob(p.ctx, seg.jobId)).toMatchObject({ state: 'running', attempts: 1 });
    expect(await effects(s, seg.id, seg.jobId)).toEqual({ rows: [{ id: seg.id, state: 'queued', outcome: null }], completions: 0 });

    // A fresh runner takes the job over once the dead runner's lease has expired.
    p.runner.start();
    try {
      const done = await waitForSuccess(s, seg.jobId);
      expect(done.attempts).toBe(2);
      expect(await effects(s, seg.id, seg.jobId)).toEqual({ rows: [{ id: seg.id, state: 'done', outcome: 'segmented' }], completions: 1 });
      const view = await (await p.request('GET', `/trials/${t.trialId}/segmentations/${seg.id}`, { token: t.tokens[r1] })).json();
      expect(view).toMatchObject({ state: 'done', outcome: 'segmented' });
      expect(view.measurement.longAxis.lengthMm).toBeGreaterThan(10);
    } finally {
      await p.runner.stop();
    }
  });
});

describe(`segmentation jobs survive a worker thread dying mid-walk (${DIALECT})`, () => {
  let s: CrashSetup;
  beforeAll(async () => {
    s = await crashSetup('SEG-THREAD', { CORELAB_CRASH_AT: 'segment_worker_mid_walk' });
  }, 180_000);
  afterAll(async () => s?.p.dispose());

  it('retries the job of a segmentation worker thread that died under it and stores one result', async () => {
    const { p } = s;
    const seg = await request(s);
    const exits: number[] = [];
    p.runner.start();
    try {
      // the pool's first thread ends itself at its third model run (once per pool): the job's first attempt fails
      await waitFor('the segment thread to start', async () => (p.pools.get('segment').threads.length > 0 ? true : undefined), 60_000, 5);
      p.pools.get('segment').threads[0].once('exit', (code) => exits.push(code));
      const done = await waitForSuccess(s, seg.jobId);
      expect(exits).toEqual([1]);
      expect(done.attempts).toBe(2);
      expect(await effects(s, seg.id, seg.jobId)).toEqual({ rows: [{ id: seg.id, state: 'done', outcome: 'segmented' }], completions: 1 });
    } finally {
      await p.runner.stop();
    }
  });
});
