// @req FLT-01 FLT-02 SEC-12: a runner process (`corelab jobs run`) is killed (SIGKILL) mid-ingest, after every file
// was de-identified and every blob written, just before the commit. Nothing of the ingest is visible: no index row,
// no half-indexed series, the visit unchanged. A restarted runner re-runs the job: one set of index rows, one
// audit event per instance, blobs stored once, and the audit chain verifies; what killed requests left in staging is
// collected. The child's logs carry no PHI.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-log.js';
import { getJob } from '../../src/jobs/job-queue.js';
import { DIALECT, type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';
import { type IngestTrial, PHI_VALUES, addVisit, ctSeries, footprint, formData, openUpload, send, setupIngestTrial } from './ingest-fixture.js';

describe(`ingest: crash mid-ingest and recovery (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: IngestTrial;
  beforeAll(async () => {
    p = await createTestPlatform({ env: { JOB_LEASE_SECONDS: '2' } });
    t = await setupIngestTrial(p, 'ING-CRASH');
  }, 60_000);
  afterAll(async () => p?.dispose());

  it('a runner killed before the commit leaves no visible trace; the restarted runner ingests once', async () => {
    const uploadId = await openUpload(p, t);
    const files = ctSeries('crash', { slices: 8 });
    expect((await send(p, 'POST', `/trials/${t.trialId}/uploads/${uploadId}/files`, t.sponsorToken, formData(files.map((bytes, i) => ({ bytes, name: `${i}.dcm` }))))).status).toBe(201);
    const jobId = (await (await p.request('POST', `/trials/${t.trialId}/uploads/${uploadId}/complete`, { token: t.sponsorToken })).json()).id;
    const empty = await footprint(p, t.trialId);

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'jobs', 'run'], {
      env: { ...process.env, ...p.env, CORELAB_CRASH_AT: 'job_before_commit', LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let childLogs = '';
    child.stdout.on('data', (d) => (childLogs += String(d)));
    child.stderr.on('data', (d) => (childLogs += String(d)));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal, childLogs).toBe('SIGKILL');
    expect(await getJob(p.ctx, jobId)).toMatchObject({ state: 'running', attempts: 1 });

    // Killed after de-identifying and storing every blob: still no row, nothing any user can see.
    const afterCrash = await footprint(p, t.trialId);
    expect({ ...afterCrash, blobs: 0 }).toEqual({ ...empty, blobs: 0 });
    expect(afterCrash.blobs).toBe(8); // content-addressed and unreferenced: invisible to everyone
    const series = await p.request('GET', `/trials/${t.trialId}/timepoints/${t.timepointId}/series`, { token: t.qcToken });
    expect(await series.json()).toEqual([]);
    const visits = await (await p.request('GET', `/trials/${t.trialId}/subjects/${t.subjectId}/visits`, { token: t.sponsorToken })).json();
    expect(visits.find((v: any) => v.visitCode === 'BASELINE')).toMatchObject({ state: 'expected', series: 0, instances: 0 });
    const upload = await (await p.request('GET', `/trials/${t.trialId}/uploads/${uploadId}`, { token: t.sponsorToken })).json();
    expect([upload.state, upload.outcome]).toEqual(['processing', null]);

    // What killed requests leave in staging: a STOW-RS scratch folder, and an open upload's unrecorded file.
    const staging = path.join(p.config.dataDir, 'staging');
    const scratch = path.join(staging, randomUUID());
    mkdirSync(scratch, { recursive: true });
    writeFileSync(path.join(scratch, randomUUID()), files[0]);
    const open = await openUpload(p, t, await addVisit(p, t, 'WK8', 2));
    expect((await send(p, 'POST', `/trials/${t.trialId}/uploads/${open}/files`, t.sponsorToken, files[1], 'application/dicom')).status).toBe(201);
    const stray = path.join(staging, open, randomUUID());
    writeFileSync(stray, files[2]);
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const f of [scratch, stray]) utimesSync(f, hourAgo, hourAgo);

    // Restart: a runner takes the job over once the dead runner's lease has expired.
    p.runner.start();
    const until = Date.now() + 60_000;
    let job = await getJob(p.ctx, jobId);
    while (job.state !== 'succeeded' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      job = await getJob(p.ctx, jobId);
    }
    expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(await footprint(p, t.trialId)).toEqual({ studies: 1, series: 1, instances: 8, ledger: 8, blobs: 8, instanceEvents: 8 });
    const ingestEvents = await p.ctx.db.selectFrom('audit_events').select('action').where('entity_id', '=', uploadId).where('action', '=', 'upload.ingest').execute();
    expect(ingestEvents).toHaveLength(1);
    const done = await (await p.request('GET', `/trials/${t.trialId}/uploads/${uploadId}`, { token: t.sponsorToken })).json();
    expect(done.outcome.map((o: any) => o.outcome)).toEqual(Array(8).fill('ingested'));
    const listed = await (await p.request('GET', `/trials/${t.trialId}/timepoints/${t.timepointId}/series`, { token: t.qcToken })).json();
    expect(listed).toHaveLength(1);
    expect(listed[0].geometry.slices).toBe(8);
    expect(await verifyAuditChain(p.ctx.db)).toMatchObject({ ok: true });
    // Staging: the finished upload's folder, the scratch folder and the stray file are gone; the recorded file stays.
    expect(existsSync(path.join(staging, uploadId))).toBe(false);
    expect(existsSync(scratch)).toBe(false);
    expect(existsSync(stray)).toBe(false);
    // (with the de-identified copy made from it as it arrived)
    const kept = readdirSync(path.join(staging, open)).sort();
    expect(kept).toEqual([kept[0], `${kept[0]}.deid`]);
    // SEC-12: the killed runner's own logs name no patient.
    for (const v of PHI_VALUES) expect(childLogs.toLowerCase()).not.toContain(v.toLowerCase());
  }, 120_000);
});
