// @req FLT-03: storage full, on real small file systems. DATA_DIR (staging and the content-addressed blob store) is a
// 50 MB tmpfs; on SQLite the database file lives on its own 16 MB tmpfs (DATA_DIR/corelab.sqlite is a symlink
// to it; SQLite keeps its WAL beside the real file). A ballast file leaves an exact number of bytes free, and the
// kernel answers ENOSPC. Expected everywhere: 507 problem+json with a detail that names what is full, no partial
// rows, no staged leftovers, reads that keep working, and recovery once the ballast is deleted: the same upload
// then succeeds, and a queued ingest that found no space resumes by itself, once, without spending its attempts.
// Skips with the reason printed when a tmpfs cannot be mounted (not root).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-log.js';
import { getJob } from '../../src/jobs/job-queue.js';
import { DATABASE_FULL_DETAIL } from '../../src/storage/storage-full.js';
import { DIALECT, type TestPlatform, type TestResponse, createTestPlatform } from '../helpers/test-platform.js';
import { fillUp, freeBytes, mountTmpfs, removeBallast, tmpfsUnavailable, unmount } from '../helpers/small-filesystem.js';
import { type IngestTrial, addVisit, ctSeries, footprint, formData, openUpload, related, send, setupIngestTrial, waitForJob } from './ingest-fixture.js';

const KiB = 1024;
const unavailable = tmpfsUnavailable();
if (unavailable) console.log(`FLT-03 disk-full tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)(`FLT-03: storage full on a small tmpfs (${DIALECT})`, () => {
  let base: string;
  let dataDir: string;
  let dbDir: string | undefined;
  let p: TestPlatform;
  let t: IngestTrial;
  const ballasts: string[] = [];
  const fill = (dir: string, leaveBytes: number) => {
    const b = fillUp(dir, leaveBytes);
    ballasts.push(b);
    return b;
  };
  const freeAll = () => ballasts.splice(0).forEach(removeBallast);

  beforeAll(async () => {
    base = mkdtempSync(path.join(os.tmpdir(), 'corelab-disk-full-'));
    dataDir = path.join(base, 'data');
    mkdirSync(dataDir);
    mountTmpfs(dataDir, 50);
    if (DIALECT === 'sqlite') {
      dbDir = path.join(base, 'db');
      mkdirSync(dbDir);
      mountTmpfs(dbDir, 16);
      symlinkSync(path.join(dbDir, 'corelab.sqlite'), path.join(dataDir, 'corelab.sqlite'));
    }
    p = await createTestPlatform({ env: { DATA_DIR: dataDir, JOB_STORAGE_RETRY_SECONDS: '1' } });
    t = await setupIngestTrial(p, 'ING-FULL');
  }, 60_000);

  afterAll(async () => {
    freeAll();
    await p?.dispose();
    for (const dir of [dataDir, dbDir]) if (dir && existsSync(dir)) unmount(dir);
    if (base) rmSync(base, { recursive: true, force: true });
  });

  const filesUrl = (uploadId: string) => `/trials/${t.trialId}/uploads/${uploadId}/files`;
  const stagedNames = (uploadId: string) => {
    const dir = path.join(dataDir, 'staging', uploadId);
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  };
  const recordedIds = async (uploadId: string) =>
    (await p.ctx.db.selectFrom('upload_files').select('id').where('upload_id', '=', uploadId).execute()).map((r) => r.id).sort();
  const eventsFor = async (entityId: string) => (await p.ctx.db.selectFrom('audit_events').select('action').where('entity_id', '=', entityId).execute()).map((e) => e.action);
  /** Blobs on disk that no instance row names (invisible to everyone, but they should not linger). */
  const orphanBlobs = async () => {
    const referenced = new Set((await p.ctx.db.selectFrom('instances').select('blob_sha256').execute()).map((r) => r.blob_sha256));
    const onDisk: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const full = path.join(dir, f);
        if (statSync(full).isDirectory()) {
          if (f !== 'tmp') walk(full);
        } else onDisk.push(f);
      }
    };
    walk(p.config.blobDir);
    return onDisk.filter((h) => !referenced.has(h)).length;
  };
  const complete = async (uploadId: string) => {
    const res = await p.request('POST', `/trials/${t.trialId}/uploads/${uploadId}/complete`, { token: t.sponsorToken });
    expect(res.status, await res.clone().text()).toBe(202);
    return (await res.json()).id as string;
  };
  /** Runs the job runner until the job has found no space (queued again, waiting for storage), then stops it. */
  const runUntilWaiting = async (jobId: string, detail: RegExp) => {
    const since = new Date().toISOString();
    p.runner.start();
    const until = Date.now() + 30_000;
    let job = await getJob(p.ctx, jobId);
    while (!(job.state === 'queued' && job.error && job.updatedAt > since) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      job = await getJob(p.ctx, jobId);
    }
    await p.runner.stop();
    job = await getJob(p.ctx, jobId);
    expect(job.state, JSON.stringify(job)).toBe('queued');
    expect(job.error).toMatch(/^waiting for storage: /);
    expect(job.error).toMatch(detail);
    expect(job.attempts).toBe(0); // a full disk spends no attempt
    return job;
  };
  const runToSuccess = async (jobId: string) => {
    p.runner.start();
    try {
      const job = await waitForJob(p, t.sponsorToken, jobId, 30_000);
      expect(job.state, JSON.stringify(job)).toBe('succeeded');
      return job;
    } finally {
      await p.runner.stop();
    }
  };

  it('an upload that does not fit gets 507 on every upload path, keeps nothing, and succeeds once space is freed', async () => {
    const visit = await addVisit(p, t, 'FULL1', 2);
    const uploadId = await openUpload(p, t, visit);
    const files = ctSeries('full-upload', { slices: 8, columns: 256, rows: 256 });
    const body = () => formData(files.map((bytes, i) => ({ bytes, name: `${i}.dcm` })));
    const big = ctSeries('full-single', { slices: 1, columns: 512, rows: 512 })[0];
    const before = await footprint(p, t.trialId);
    const blobsBefore = before.blobs;

    fill(dataDir, 256 * KiB);
    const attempts: Array<[string, () => Promise<TestResponse>]> = [
      ['multipart/form-data', () => send(p, 'POST', filesUrl(uploadId), t.sponsorToken, body())],
      ['application/dicom', () => send(p, 'POST', filesUrl(uploadId), t.sponsorToken, big, 'application/dicom')],
      ['application/zip', () => send(p, 'POST', filesUrl(uploadId), t.sponsorToken, zipSync({ 'a.dcm': files[0], 'b.dcm': big }, { level: 0 }), 'application/zip')],
      ['STOW-RS', () => {
        const { body: stow, contentType } = related(files);
        return send(p, 'POST', `/dicomweb/trials/${t.trialId}/studies?upload=${uploadId}`, t.sponsorToken, stow, contentType);
      }],
    ];
    for (const [name, attempt] of attempts) {
      const res = await attempt();
      const problem = await res.json();
      expect(res.status, `${name}: ${JSON.stringify(problem)}`).toBe(507);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(problem).toMatchObject({ type: 'https://corelab.dev/problems/insufficient-storage', title: 'Insufficient storage', status: 507 });
      expect(problem.detail).toBe('the server is out of storage for uploads; nothing from this request was kept');
    }
    // Nothing of any attempt: no file row, no staged byte, no audit event, no blob; the upload is still open.
    expect(await recordedIds(uploadId)).toEqual([]);
    expect(stagedNames(uploadId)).toEqual([]);
    expect(await eventsFor(uploadId)).toEqual(['upload.create']);
    expect(await footprint(p, t.trialId)).toEqual(before);
    // /health says so; reads keep working while the disk is full.
    const health = await p.request('GET', '/health');
    expect(health.status).toBe(503);
    expect((await health.json()).blobStore).toMatchObject({ ok: false, detail: expect.stringMatching(/only 0\.\d MB free; uploads are refused \(507\)/) });
    const upload = await p.request('GET', `/trials/${t.trialId}/uploads/${uploadId}`, { token: t.sponsorToken });
    expect(upload.status).toBe(200);
    expect(await upload.json()).toMatchObject({ state: 'open', fileCount: 0, bytes: 0 });

    freeAll();
    expect((await (await p.request('GET', '/health')).json()).blobStore).toMatchObject({ ok: true, detail: expect.stringMatching(/^more than 16 MB free$/) });
    const again = await send(p, 'POST', filesUrl(uploadId), t.sponsorToken, body());
    expect(again.status, await again.clone().text()).toBe(201);
    await runToSuccess(await complete(uploadId));
    const done = await (await p.request('GET', `/trials/${t.trialId}/uploads/${uploadId}`, { token: t.sponsorToken })).json();
    expect(done.outcome.map((o: any) => o.outcome)).toEqual(Array(8).fill('ingested'));
    expect((await footprint(p, t.trialId)).blobs).toBe(blobsBefore + 8);
    expect(await orphanBlobs()).toBe(0);
  }, 60_000);

  it('an ingest whose de-identified copies would not fit waits for space (checked before any work), then ingests once', async () => {
    const visit = await addVisit(p, t, 'FULL2', 3);
    const uploadId = await openUpload(p, t, visit);
    const files = ctSeries('full-precheck', { slices: 6, columns: 256, rows: 256 });
    expect((await send(p, 'POST', filesUrl(uploadId), t.sponsorToken, formData(files.map((bytes, i) => ({ bytes, name: `${i}.dcm` }))))).status).toBe(201);
    const jobId = await complete(uploadId);
    const before = await footprint(p, t.trialId);

    fill(dataDir, 64 * KiB);
    await runUntilWaiting(jobId, /de-identifying this upload needs about \d+\.\d MB in the data folder and 0\.\d MB are free; nothing was indexed, and the ingest resumes once space is freed/);
    expect(await footprint(p, t.trialId)).toEqual(before);
    expect(stagedNames(uploadId)).toEqual(await recordedIds(uploadId)); // the sponsor's files, nothing derived
    const waiting = await (await p.request('GET', `/trials/${t.trialId}/uploads/${uploadId}`, { token: t.sponsorToken })).json();
    expect([waiting.state, waiting.outcome]).toEqual(['processing', null]);

    freeAll();
    const job = await runToSuccess(jobId);
    expect(job.attempts).toBe(1);
    expect(await footprint(p, t.trialId)).toMatchObject({ instances: before.instances + 6, ledger: before.ledger + 6, instanceEvents: before.instanceEvents + 6 });
    expect(await eventsFor(uploadId)).toContain('upload.ingest');
    expect(await orphanBlobs()).toBe(0);
  }, 60_000);

  it('ENOSPC met by the worker (extracting a zip, writing a de-identified copy) is not a refusal: the job waits, keeps only the upload, then ingests once', async () => {
    const visit = await addVisit(p, t, 'FULL3', 4);
    const uploadId = await openUpload(p, t, visit);
    const files = ctSeries('full-zip', { slices: 30, columns: 256, rows: 256 });
    const unzipped = files.reduce((n, f) => n + f.length, 0);
    const zip = zipSync(Object.fromEntries(files.map((b, i) => [`${i}.dcm`, b])), { level: 9 });
    // The pre-check counts the zip as sent; extraction and de-identification need its uncompressed size twice.
    expect(unzipped - zip.length).toBeGreaterThan(1536 * KiB);
    expect((await send(p, 'POST', filesUrl(uploadId), t.sponsorToken, zip, 'application/zip')).status).toBe(201);
    const jobId = await complete(uploadId);
    const before = await footprint(p, t.trialId);
    const onlyTheZip = await recordedIds(uploadId);

    // Room to extract, not to de-identify: the copy that does not fit fails in the worker with ENOSPC.
    const ballast = fill(dataDir, unzipped + 256 * KiB);
    await runUntilWaiting(jobId, /ran out of space while de-identifying this upload; nothing was indexed, and the ingest resumes once space is freed \(no space left for the de-identified copy\)/);
    expect(await footprint(p, t.trialId)).toEqual(before);
    expect(stagedNames(uploadId)).toEqual(onlyTheZip);
    expect(freeBytes(dataDir)).toBeGreaterThan(unzipped); // what the attempt wrote was given back

    // Not even room to extract.
    removeBallast(ballast);
    fill(dataDir, zip.length + 1024 * KiB + 128 * KiB);
    await runUntilWaiting(jobId, /\(no space left to extract the archive\)/);
    expect(await footprint(p, t.trialId)).toEqual(before);
    expect(stagedNames(uploadId)).toEqual(onlyTheZip);

    freeAll();
    const job = await runToSuccess(jobId);
    expect(job.attempts).toBe(1);
    const done = await (await p.request('GET', `/trials/${t.trialId}/uploads/${uploadId}`, { token: t.sponsorToken })).json();
    expect(done.outcome.map((o: any) => o.outcome)).toEqual(Array(30).fill('ingested'));
    expect(await footprint(p, t.trialId)).toMatchObject({ instances: before.instances + 30, ledger: before.ledger + 30 });
    expect(await orphanBlobs()).toBe(0);
  }, 60_000);

  describe.skipIf(DIALECT !== 'sqlite')('the SQLite database on a full file system', () => {
    // The WAL is checkpointed into the database file and truncated first, so the next write must grow it.
    const truncateWal = () => sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(p.ctx.db);

    it('a change that cannot be written gets 507 naming the database, and nothing of it (nor its audit event) is stored', async () => {
      const visit = await addVisit(p, t, 'FULL4', 5);
      const count = async () => ({
        uploads: (await p.ctx.db.selectFrom('uploads').select('id').execute()).length,
        events: (await p.ctx.db.selectFrom('audit_events').select('id').execute()).length,
      });
      // The sponsor's session was last seen two minutes ago, so this request is due to touch it (a write).
      const stale = new Date(Date.now() - 2 * 60_000).toISOString();
      await p.ctx.db.updateTable('sessions').set({ last_seen_at: stale }).where('user_id', '=', t.sponsorId).execute();
      await truncateWal();
      const before = await count();
      fill(dbDir!, 0);
      const res = await p.request('POST', `/trials/${t.trialId}/uploads`, { token: t.sponsorToken, body: { subjectId: t.subjectId, timepointId: visit } });
      const problem = await res.json();
      expect(res.status, JSON.stringify(problem)).toBe(507);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(problem.detail).toBe(DATABASE_FULL_DETAIL);
      expect(await count()).toEqual(before);
      // Reads keep working (the session touch that cannot be written is skipped, not fatal).
      const visits = await p.request('GET', `/trials/${t.trialId}/subjects/${t.subjectId}/visits`, { token: t.sponsorToken });
      expect(visits.status).toBe(200);

      freeAll();
      const retried = await p.request('POST', `/trials/${t.trialId}/uploads`, { token: t.sponsorToken, body: { subjectId: t.subjectId, timepointId: visit } });
      expect(retried.status).toBe(201);
      expect(await count()).toEqual({ uploads: before.uploads + 1, events: before.events + 1 });
    });

    it('an ingest commit that cannot be written leaves no half-indexed series; the job waits for space, then commits once', async () => {
      const visit = await addVisit(p, t, 'FULL5', 6);
      const uploadId = await openUpload(p, t, visit);
      const n = 30;
      const files = ctSeries('full-commit', { slices: n });
      expect((await send(p, 'POST', filesUrl(uploadId), t.sponsorToken, formData(files.map((bytes, i) => ({ bytes, name: `${i}.dcm` }))))).status).toBe(201);
      const jobId = await complete(uploadId);
      const before = await footprint(p, t.trialId);
      const orphansBefore = await orphanBlobs();

      // Room for the job's small writes (claim, progress), not for the commit of 30 instances with their ledger
      // and audit events.
      await truncateWal();
      fill(dbDir!, 192 * KiB);
      await runUntilWaiting(jobId, new RegExp(DATABASE_FULL_DETAIL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      // The commit was the write that failed: every blob had been placed (durable before any row names it), and
      // no row names them. They are invisible, and the retry's rows name exactly these (content-addressed).
      expect(await orphanBlobs()).toBe(orphansBefore + n);
      expect(await footprint(p, t.trialId)).toEqual({ ...before, blobs: before.blobs + n });
      const series = await p.request('GET', `/trials/${t.trialId}/timepoints/${visit}/series`, { token: t.qcToken });
      expect(await series.json()).toEqual([]);
      expect(await eventsFor(uploadId)).not.toContain('upload.ingest');
      expect(await verifyAuditChain(p.ctx.db)).toMatchObject({ ok: true });

      freeAll();
      const job = await runToSuccess(jobId);
      expect(job.attempts).toBe(1);
      expect(await footprint(p, t.trialId)).toEqual({
        studies: before.studies + 1, series: before.series + 1, instances: before.instances + n, ledger: before.ledger + n, blobs: before.blobs + n, instanceEvents: before.instanceEvents + n,
      });
      expect(await orphanBlobs()).toBe(0);
      expect((await eventsFor(uploadId)).filter((a) => a === 'upload.ingest')).toHaveLength(1);
      expect(await verifyAuditChain(p.ctx.db)).toMatchObject({ ok: true });
    }, 60_000);
  });
});
