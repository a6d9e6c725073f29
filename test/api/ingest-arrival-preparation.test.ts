// @req DEID-01 DEID-03: files are de-identified in the pool as they arrive (src/services/ingest/arrival-preparation.ts),
// the preparation committed with the file's row, and the ingest job reuses that work only when it still holds: the
// same bytes, the same trial context and options, and the de-identified copy present at its recorded size. Otherwise the job prepares the file itself, and the
// stored instances are the same either way (same content address, same de-identified UIDs). An original the job reads
// back must still have the sha256 the upload recorded (the ledger's before-hash), or the file is refused.
import { readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT, type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';
import { type IngestTrial, PHI_VALUES, addVisit, ctSeries, formData, openUpload, send, setupIngestTrial, waitForJob } from './ingest-fixture.js';

describe(`ingest: preparation on arrival (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: IngestTrial;

  beforeAll(async () => {
    p = await createTestPlatform({ runJobs: true, env: { CORELAB_WORKERS: '2' } });
    t = await setupIngestTrial(p, 'ING-ARR');
  }, 60_000);
  afterAll(async () => p?.dispose());

  /** Sends `files` to a new upload of `visit`; returns the upload id and its staging folder, before completion. */
  async function stage(files: Buffer[], visit: string): Promise<{ uploadId: string; dir: string }> {
    const uploadId = await openUpload(p, t, visit);
    const sent = await send(p, 'POST', `/trials/${t.trialId}/uploads/${uploadId}/files`, t.sponsorToken, formData(files.map((bytes, i) => ({ bytes, name: `${i}.dcm` }))));
    expect(sent.status, await sent.clone().text()).toBe(201);
    return { uploadId, dir: path.join(p.config.dataDir, 'staging', uploadId) };
  }

  async function complete(uploadId: string): Promise<{ job: any; upload: any }> {
    const done = await p.request('POST', `/trials/${t.trialId}/uploads/${uploadId}/complete`, { token: t.sponsorToken });
    expect(done.status).toBe(202);
    const job = await waitForJob(p, t.sponsorToken, (await done.json()).id);
    expect(job.state, JSON.stringify(job)).toBe('succeeded');
    return { job, upload: await (await p.request('GET', `/trials/${t.trialId}/uploads/${uploadId}`, { token: t.sponsorToken })).json() };
  }

  /** file id -> its preparation record, as committed with the file's row */
  const recordsOf = async (uploadId: string) =>
    new Map((await p.ctx.db.selectFrom('upload_files').select(['id', 'prepared_json']).where('upload_id', '=', uploadId).execute()).map((r) => [r.id, r.prepared_json]));
  const setRecord = (fileId: string, json: string) => p.ctx.db.updateTable('upload_files').set({ prepared_json: json }).where('id', '=', fileId).execute();

  const blobsOf = async (uploadId: string) =>
    (await p.ctx.db.selectFrom('instances').select(['sop_instance_uid', 'blob_sha256']).where('upload_id', '=', uploadId).orderBy('sop_instance_uid').execute());

  it('keeps a de-identified copy and a record per file before the 201, holding no identifying value; the job reuses all of them', async () => {
    const { uploadId, dir } = await stage(ctSeries('arrival-a'), t.timepointId);
    const names = readdirSync(dir).sort();
    const sources = names.filter((n) => !n.includes('.'));
    expect(sources).toHaveLength(6);
    expect(names).toEqual(sources.flatMap((s) => [s, `${s}.deid`]).sort());
    const records = await recordsOf(uploadId);
    for (const s of sources) {
      const record = records.get(s)!;
      expect(JSON.parse(record).result.ok).toBe(true);
      for (const v of PHI_VALUES) expect(record.toLowerCase()).not.toContain(v.toLowerCase());
      const copy = readFileSync(path.join(dir, `${s}.deid`)).toString('latin1');
      for (const v of PHI_VALUES) expect(copy).not.toContain(v);
    }
    const { job, upload } = await complete(uploadId);
    expect(job.result.preparedOnArrival).toBe(6);
    expect(upload.outcome.map((o: any) => o.outcome)).toEqual(Array(6).fill('ingested'));
    // once used, the records are cleared (the ledger keeps what lasts)
    expect([...(await recordsOf(uploadId)).values()]).toEqual(Array(6).fill(null));
  }, 60_000);

  it('prepares every file of a request larger than what it may hand to the pool at once (the rest read back from staging)', async () => {
    const files = ctSeries('arrival-many', { slices: 20 });
    const { uploadId } = await stage(files, await addVisit(p, t, 'WK3', 5));
    const { job, upload } = await complete(uploadId);
    expect(job.result.preparedOnArrival).toBe(20);
    expect(upload.outcome.map((o: any) => o.outcome)).toEqual(Array(20).fill('ingested'));
  }, 60_000);

  it('prepares again what no longer holds (other options, a cut copy, a lost record) and stores the same instances', async () => {
    const files = ctSeries('arrival-b');
    const visit = await addVisit(p, t, 'WK6', 2);
    const { uploadId, dir } = await stage(files, visit);
    const sources = readdirSync(dir).filter((n) => !n.includes('.'));
    const records = await recordsOf(uploadId);
    // what arrival preparation made of each file: its de-identified SOP Instance UID and content address
    const made = sources
      .map((s) => JSON.parse(records.get(s)!).result)
      .map((r) => ({ sop_instance_uid: r.sopInstanceUid, blob_sha256: r.sha256 }))
      .sort((a, b) => a.sop_instance_uid.localeCompare(b.sop_instance_uid));
    // 1: made under other de-identification settings (the fingerprint differs)
    await setRecord(sources[0], JSON.stringify({ ...JSON.parse(records.get(sources[0])!), fingerprint: '0'.repeat(64) }));
    // 2: its de-identified copy cut short (a crash while it was written)
    truncateSync(path.join(dir, `${sources[1]}.deid`), 100);
    // 3: a record that does not parse
    await setRecord(sources[2], '{"fingerprint":');
    const { job, upload } = await complete(uploadId);
    expect(job.result.preparedOnArrival).toBe(3);
    expect(upload.outcome.map((o: any) => o.outcome)).toEqual(Array(6).fill('ingested'));
    // the three the job prepared itself are stored exactly as arrival preparation had made them
    expect(await blobsOf(uploadId)).toEqual(made);
  }, 90_000);
  it('refuses a file whose staged original changed after it arrived, when the job has to prepare it from that original', async () => {
    const { uploadId, dir } = await stage(ctSeries('arrival-c', { slices: 3 }), await addVisit(p, t, 'WK9', 3));
    const sources = readdirSync(dir).filter((n) => !n.includes('.'));
    const records = await recordsOf(uploadId);
    // its arrival preparation no longer holds (other settings), and a byte of the original has changed on disk
    await setRecord(sources[0], JSON.stringify({ ...JSON.parse(records.get(sources[0])!), fingerprint: '0'.repeat(64) }));
    const staged = path.join(dir, sources[0]);
    const bytes = readFileSync(staged);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(staged, bytes);
    const { upload } = await complete(uploadId);
    const bySource = new Map((await p.ctx.db.selectFrom('upload_files').select(['id', 'ordinal']).where('upload_id', '=', uploadId).execute()).map((r) => [r.id, Number(r.ordinal)]));
    const outcomes = new Map(upload.outcome.map((o: any) => [o.ordinal, o]));
    expect(outcomes.get(bySource.get(sources[0]))).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^the staged file no longer matches what was uploaded \(sha256 [0-9a-f]{12}\.\.\., the upload recorded [0-9a-f]{12}\.\.\.\): upload it again$/) });
    for (const other of sources.slice(1)) expect(outcomes.get(bySource.get(other))).toMatchObject({ outcome: 'ingested' });
  }, 60_000);
});

describe(`ingest: the job starts when the upload is completed (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: IngestTrial;
  beforeAll(async () => {
    // the runner polls every 10 minutes here: only the wake-up on enqueue can start the ingest within the test
    p = await createTestPlatform({ runJobs: true, env: { CORELAB_WORKERS: '2', JOB_POLL_MS: '600000' } });
    t = await setupIngestTrial(p, 'ING-WAKE');
  }, 60_000);
  afterAll(async () => p?.dispose());

  it('wakes this process\'s runner once the completion commits, instead of waiting for its next poll', async () => {
    const uploadId = await openUpload(p, t);
    expect((await send(p, 'POST', `/trials/${t.trialId}/uploads/${uploadId}/files`, t.sponsorToken, formData(ctSeries('wake').map((bytes, i) => ({ bytes, name: `${i}.dcm` }))))).status).toBe(201);
    const done = await p.request('POST', `/trials/${t.trialId}/uploads/${uploadId}/complete`, { token: t.sponsorToken });
    const job = await waitForJob(p, t.sponsorToken, (await done.json()).id, 20_000);
    expect(job.state).toBe('succeeded');
  }, 30_000);
});
