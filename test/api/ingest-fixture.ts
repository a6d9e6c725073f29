// Shared by the ingest API tests: a trial with a sponsor, qc and (optionally) readers; real DICOM CT series from
// syntheticCtSeries carrying canary PHI; uploads driven through the HTTP API; zips built with fflate.
import { randomUUID } from 'node:crypto';
import { zipSync } from 'fflate';
import { expect } from 'vitest';
import { type SyntheticSeriesSpec, syntheticCtSeries, syntheticUid } from '../../src/demo/synthetic-ct-series.js';
import { SYSTEM_ACTOR } from '../../src/services/service-context.js';
import { assembleSeries } from '../../workers/ingest.js';
import { createTimepoint, enrollSubject } from '../../src/services/trials.js';
import { type ReadingTrial, setupReadingTrial } from '../helpers/reading-fixture.js';
import { type TestPlatform, type TestResponse, grant, seedUser } from '../helpers/test-platform.js';

/** Identifying-looking values planted in the source files: none may reach the DB, the logs or a de-identified file. */
export const PHI = {
  name: 'CANARYPHI^ZELDA^Q',
  id: 'CNRYPID55123',
  birthDate: '19431127',
  institution: 'CANARY Memorial Institute 77',
  physician: 'CNRYDOC^HOUSE',
  accession: 'ACCCNRYPID55123',
} as const;
export const PHI_VALUES: string[] = [PHI.name, PHI.name.split('^')[0], PHI.id, PHI.birthDate, PHI.institution, PHI.physician];

export interface IngestTrial extends ReadingTrial {
  sponsorToken: string;
  qcToken: string;
  sponsorId: string;
  subjectId: string;
  subjectCode: string;
  timepointId: string;
}

/** A trial ready for uploads: approved charter, sponsor, qc, readers (2 by default), one subject with a baseline. */
export async function setupIngestTrial(p: TestPlatform, code: string, opts: { readers?: number } = {}): Promise<IngestTrial> {
  const t = await setupReadingTrial(p, { code, readers: opts.readers ?? 2 });
  const tag = code.toLowerCase().replace(/[^a-z0-9]/g, '');
  const sponsor = await seedUser(p, `sp-${tag}`, { verified: true });
  await grant(p, t.trialId, sponsor.id, 'sponsor');
  const qc = await seedUser(p, `qc-${tag}`, { verified: true });
  await grant(p, t.trialId, qc.id, 'qc');
  const subjectCode = `${code}-001`;
  const subject = await enrollSubject(p.ctx, SYSTEM_ACTOR, t.trialId, { siteId: t.siteId, subjectCode });
  const tp = await createTimepoint(p.ctx, SYSTEM_ACTOR, t.trialId, subject.id, { visitCode: 'BASELINE', visitNum: 1, label: 'Baseline' });
  return { ...t, sponsorToken: await p.login(`sp-${tag}`), qcToken: await p.login(`qc-${tag}`), sponsorId: sponsor.id, subjectId: subject.id, subjectCode, timepointId: tp.id };
}

export async function addVisit(p: TestPlatform, t: IngestTrial, visitCode: string, visitNum: number): Promise<string> {
  return (await createTimepoint(p.ctx, SYSTEM_ACTOR, t.trialId, t.subjectId, { visitCode, visitNum, label: `Visit ${visitCode}` })).id;
}

/** A small real CT series (64x64) with canary PHI in patient, institution and physician attributes. */
export function ctSeries(label: string, opts: Partial<SyntheticSeriesSpec> = {}): Buffer[] {
  return syntheticCtSeries({
    patientName: PHI.name,
    patientId: PHI.id,
    birthDate: PHI.birthDate,
    studyDate: '20240108',
    studyInstanceUid: syntheticUid(`${label}/study`),
    seriesInstanceUid: syntheticUid(`${label}/series`),
    frameOfReferenceUid: syntheticUid(`${label}/for`),
    slices: 6,
    columns: 64,
    rows: 64,
    pixelSpacingMm: 2,
    sliceThicknessMm: 2.5,
    lesions: [{ centerMm: [10, 0, 5], diameterMm: 12 }],
    extra: { InstitutionName: PHI.institution, ReferringPhysicianName: PHI.physician },
    ...opts,
  });
}

export function formData(files: Array<{ bytes: Uint8Array; name: string; type?: string }>): FormData {
  const form = new FormData();
  for (const f of files) form.append('files', new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.type ?? 'application/dicom' }), f.name);
  return form;
}

export function zipOf(entries: Record<string, Uint8Array>): Uint8Array {
  return zipSync(entries, { level: 1 });
}

/** multipart/related; type="application/dicom" (STOW-RS) */
export function related(parts: Uint8Array[], boundary = 'corelab-test-boundary'): { body: Uint8Array; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), Buffer.from(p), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

export async function send(p: TestPlatform, method: string, url: string, token: string, body: NonNullable<RequestInit['body']>, contentType?: string): Promise<TestResponse> {
  return (await p.app.request(url, { method, headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}) }, body })) as TestResponse;
}

export async function openUpload(p: TestPlatform, t: IngestTrial, timepointId = t.timepointId, subjectId = t.subjectId): Promise<string> {
  const r = await p.request('POST', `/trials/${t.trialId}/uploads`, { token: t.sponsorToken, body: { subjectId, timepointId } });
  expect(r.status, await r.clone().text()).toBe(201);
  return (await r.json()).id;
}

export async function waitForJob(p: TestPlatform, token: string, jobId: string, timeoutMs = 60_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const j = await (await p.request('GET', `/jobs/${jobId}`, { token })).json();
    if (!['queued', 'running'].includes(j.state)) return j;
    if (Date.now() > until) throw new Error(`job ${jobId} still ${j.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens an upload, sends one body, completes it and waits for the ingest; returns the finished upload. */
export async function ingest(p: TestPlatform, t: IngestTrial, body: NonNullable<RequestInit['body']>, contentType?: string, timepointId = t.timepointId): Promise<any> {
  const uploadId = await openUpload(p, t, timepointId);
  const sent = await send(p, 'POST', `/trials/${t.trialId}/uploads/${uploadId}/files`, t.sponsorToken, body, contentType);
  expect(sent.status, await sent.clone().text()).toBe(201);
  const done = await p.request('POST', `/trials/${t.trialId}/uploads/${uploadId}/complete`, { token: t.sponsorToken });
  expect(done.status).toBe(202);
  const job = await waitForJob(p, t.sponsorToken, (await done.json()).id);
  expect(job.state, JSON.stringify(job)).toBe('succeeded');
  return (await p.request('GET', `/trials/${t.trialId}/uploads/${uploadId}`, { token: t.sponsorToken })).json();
}

/** Row counts of the imaging index, blobs on disk and audit events: "nothing stored" compares two of these. */
export async function footprint(p: TestPlatform, trialId: string) {
  const { readdirSync, statSync } = await import('node:fs');
  const count = async (table: 'studies' | 'series' | 'instances' | 'deid_ledger') =>
    Number((await p.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('trial_id', '=', trialId).executeTakeFirstOrThrow()).n);
  const blobs: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const full = `${dir}/${f}`;
      if (statSync(full).isDirectory()) walk(full);
      else blobs.push(full);
    }
  };
  walk(p.config.blobDir);
  const events = await p.ctx.db.selectFrom('audit_events').select('action').where('trial_id', '=', trialId).execute();
  return {
    studies: await count('studies'),
    series: await count('series'),
    instances: await count('instances'),
    ledger: await count('deid_ledger'),
    blobs: blobs.filter((b) => !b.startsWith(`${p.config.blobDir}/tmp/`)).length,
    instanceEvents: events.filter((e) => e.action === 'instance.ingest').length,
  };
}

/**
 * Images for a timepoint, planted as index rows over real blobs (for tests of access and blinding, not of ingest): a
 * series assembled by the ingest worker, with optional canaries in its study date, UID, acquisition and QC findings, plus a quarantined instance in it and a series of
 * quarantined instances only. Returns the series ids and the upload id (itself a value readers must not see).
 */
export interface PlantedSeries {
  seriesId: string;
  quarantinedSeriesId: string;
  uploadId: string;
}

export interface PlantCanaries {
  studyDate: string;
  seriesUid?: string;
  kernel: string;
  finding: string;
  quarantineReason: string;
}

export async function plantSeries(
  p: TestPlatform,
  o: { trialId: string; subjectId: string; timepointId: string; createdBy: string; label: string; canaries?: PlantCanaries },
): Promise<PlantedSeries> {
  const { trialId, subjectId, timepointId, createdBy, label } = o;
  const c: PlantCanaries = o.canaries ?? { studyDate: '20240101', kernel: 'STANDARD', finding: 'none', quarantineReason: 'secondary capture SOP class' };
  const at = new Date().toISOString();
  const uploadId = randomUUID();
  await p.ctx.db.insertInto('uploads').values({ id: uploadId, trial_id: trialId, subject_id: subjectId, timepoint_id: timepointId, channel: 'upload', state: 'completed', file_count: 4, bytes: 0, job_id: null, outcome_json: null, created_by: createdBy, created_at: at, updated_at: at }).execute();
  const studyId = randomUUID();
  await p.ctx.db.insertInto('studies').values({ id: studyId, trial_id: trialId, subject_id: subjectId, study_uid: syntheticUid(`${label}/study`), study_date: c.studyDate, created_at: at }).execute();
  const files = syntheticCtSeries({ patientName: 'BLIND^PHANTOM', patientId: 'BLINDP', birthDate: '19700101', studyDate: '20240101', studyInstanceUid: syntheticUid(`${label}/study`), seriesInstanceUid: syntheticUid(`${label}/series`), frameOfReferenceUid: syntheticUid(`${label}/for`), slices: 4, columns: 32, rows: 32, lesions: [] });
  const seriesId = randomUUID();
  const quarantinedSeriesId = randomUUID();
  for (const [id, uid, volume] of [[seriesId, c.seriesUid ?? syntheticUid(`${label}/series`), true], [quarantinedSeriesId, syntheticUid(`${label}/sc`), false]] as const) {
    await p.ctx.db.insertInto('series').values({
      id, trial_id: trialId, study_id: studyId, timepoint_id: timepointId, series_uid: uid, modality: 'CT', frame_of_reference_uid: syntheticUid(`${label}/for`), instance_count: volume ? 4 : 1,
      acquisition_json: JSON.stringify({ kvp: 120, kernel: c.kernel, contrast: true, sliceThicknessMm: 2.5 }),
      volume_json: null, findings_json: JSON.stringify([{ code: 'VOLUME_PROBLEM', detail: c.finding, severity: 'warning' }]), created_at: at, updated_at: at,
    }).execute();
  }
  const refs: Array<{ instanceId: string; path: string }> = [];
  for (const [i, bytes] of files.entries()) {
    const blob = await p.blobs.put(bytes);
    const instanceId = randomUUID();
    const quarantined = i === 3;
    await p.ctx.db.insertInto('instances').values({
      id: instanceId, trial_id: trialId, series_id: quarantined ? quarantinedSeriesId : seriesId, sop_instance_uid: syntheticUid(`${label}/sop/${i}`), sop_class_uid: '1.2.840.10008.5.1.4.1.1.2', instance_number: i + 1,
      transfer_syntax_uid: '1.2.840.10008.1.2.1', rows: 32, columns: 32, frames: 1, geometry_json: '[]', blob_sha256: blob.sha256, bytes: blob.bytes,
      quarantine_reason: quarantined ? c.quarantineReason : null, upload_id: uploadId, created_at: at,
    }).execute();
    if (!quarantined) refs.push({ instanceId, path: p.blobs.pathOf(blob.sha256) });
  }
  const assembled = await assembleSeries({ instances: refs });
  if ('error' in assembled) throw new Error(assembled.error);
  await p.ctx.db.updateTable('series').set({ volume_json: JSON.stringify({ geometry: assembled.geometry, order: assembled.order, coverageMm: assembled.coverageMm }) }).where('id', '=', seriesId).execute();
  return { seriesId, quarantinedSeriesId, uploadId };
}

