import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Actor } from '../../audit/audit-log.js';
import type { DbOrTrx } from '../../db/connect.js';
import type { UploadsTable } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { type Job, enqueueJob } from '../../jobs/job-queue.js';
import { type ServiceContext, inTransaction } from '../service-context.js';
import { getSubjectRow } from '../trials.js';
import { type PreparationRecord, discardArrivalPreparation, prepareOnArrival, uploadDeidentification } from './arrival-preparation.js';
import { requestPools } from './request-pools.js';
import { type StagedFile, stageRequestBody, stagingDir } from './upload-staging.js';

export const INGEST_JOB = 'ingest.upload';

export interface FileOutcome {
  ordinal: number;
  /** which entry of a zip the file came from, by position ("entry 3"): never its name, often a patient name */
  entry?: string;
  outcome: 'ingested' | 'duplicate' | 'quarantined' | 'refused';
  reason?: string;
  sopInstanceUid?: string;
  seriesId?: string;
}

export interface Upload {
  id: string;
  trialId: string;
  subjectId: string | null;
  timepointId: string | null;
  channel: 'upload' | 'stow-rs';
  state: UploadsTable['state'];
  fileCount: number;
  bytes: number;
  jobId: string | null;
  outcome: FileOutcome[] | null;
  createdAt: string;
  updatedAt: string;
}

export const uploadRowTo = (r: UploadsTable): Upload => ({
  id: r.id,
  trialId: r.trial_id,
  subjectId: r.subject_id,
  timepointId: r.timepoint_id,
  channel: r.channel,
  state: r.state,
  fileCount: Number(r.file_count),
  bytes: Number(r.bytes),
  jobId: r.job_id,
  outcome: r.outcome_json ? JSON.parse(r.outcome_json) : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Timepoint states in which images may still be sent (P11-OPS-01: the server enforces the workflow). */
const UPLOADABLE = ['expected', 'received', 'qc_failed'];

export async function createUpload(
  ctx: ServiceContext,
  actor: Actor,
  trialId: string,
  input: { subjectId: string; timepointId: string; channel?: 'upload' | 'stow-rs' },
  boundSiteId: string | null,
): Promise<Upload> {
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const subject = await getSubjectRow(trx, trialId, input.subjectId);
    // P11-DEV-01: a site-bound sponsor uploads for its own site's subjects only.
    if (boundSiteId && subject.site_id !== boundSiteId) throw new DomainError('NOT_FOUND', `subject ${input.subjectId} not found in this trial`);
    const tp = await trx.selectFrom('timepoints').selectAll().where('id', '=', input.timepointId).where('subject_id', '=', subject.id).executeTakeFirst();
    if (!tp) throw new DomainError('NOT_FOUND', `timepoint ${input.timepointId} not found for this subject`);
    if (!UPLOADABLE.includes(tp.state)) throw new DomainError('CONFLICT', `visit ${tp.visit_code} is ${tp.state}; images can no longer be added`);
    const at = now.toISOString();
    const row: UploadsTable = {
      id: randomUUID(), trial_id: trialId, subject_id: subject.id, timepoint_id: tp.id, channel: input.channel ?? 'upload', state: 'open',
      file_count: 0, bytes: 0, job_id: null, outcome_json: null, created_by: actor.userId!, created_at: at, updated_at: at,
    };
    await trx.insertInto('uploads').values(row).execute();
    audit({ action: 'upload.create', entityType: 'upload', entityId: row.id, trialId, after: uploadRowTo(row) });
    return uploadRowTo(row);
  });
}

export async function getUploadRow(db: DbOrTrx, trialId: string, uploadId: string): Promise<UploadsTable> {
  const row = await db.selectFrom('uploads').selectAll().where('id', '=', uploadId).where('trial_id', '=', trialId).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `upload ${uploadId} not found in this trial`);
  return row;
}

/** Files whose gathered bytes (at most 16 MiB each) an upload request hands to the pool at once. */
const HANDED_FILES_IN_FLIGHT = 8;

/** Streams the request body into the upload's staging folder and records each file with its hash. */
export async function addUploadFiles(
  ctx: ServiceContext,
  actor: Actor,
  trialId: string,
  uploadId: string,
  body: ReadableStream<Uint8Array> | null,
  contentType: string,
  /** the request's Content-Length, when it sent one: a body declared past the limit is refused unread */
  declaredBytes?: number | null,
): Promise<Upload> {
  const upload = await getUploadRow(ctx.db, trialId, uploadId);
  if (upload.state !== 'open') throw new DomainError('CONFLICT', `upload is ${upload.state}; files can no longer be added`);
  if (actor.userId !== upload.created_by) throw new DomainError('FORBIDDEN', 'only the sponsor user who created the upload may add files to it');
  const limits = ctx.config.upload;
  // Each DICOM file is de-identified in the pool as soon as it is staged, while the rest streams in; the 201
  // waits for those preparations (bounding the pool's queue by what is in flight) and commits them with the files'
  // rows, and the ingest job reuses them.
  const deid = await uploadDeidentification(ctx, upload);
  const preparing = new Map<string, Promise<PreparationRecord | null>>();
  const arrived: StagedFile[] = [];
  // The bytes go along with at most HANDED_FILES_IN_FLIGHT files waiting for a thread; beyond that (a slow pool, a
  // fast network) a thread reads the staged file back instead, so a request never holds more than those in memory.
  let handing = 0;
  const prepare = (f: StagedFile) => {
    arrived.push(f);
    if (f.contentType !== 'application/dicom') return;
    const hand = f.content !== undefined && handing < HANDED_FILES_IN_FLIGHT;
    if (hand) handing += 1;
    const p = prepareOnArrival(requestPools(ctx), deid, hand ? f : { ...f, content: undefined });
    preparing.set(f.fileId, hand ? p.finally(() => (handing -= 1)) : p);
  };
  let staged: StagedFile[];
  try {
    staged = await stageRequestBody(body, contentType, stagingDir(ctx.config.dataDir, uploadId), {
      maxBytes: limits.maxBytes - Number(upload.bytes),
      maxFiles: limits.maxFiles - Number(upload.file_count),
    }, declaredBytes, prepare);
  } catch (e) {
    // the staged files are gone already; what was prepared from them goes too
    await Promise.all(preparing.values());
    await Promise.all(arrived.map((f) => discardArrivalPreparation(f.path)));
    throw e;
  }
  const prepared = new Map<string, PreparationRecord | null>();
  for (const [id, p] of preparing) prepared.set(id, await p);
  try {
    await refuseUnsafeArchives(ctx, staged);
    return await recordStagedFiles(ctx, actor, trialId, uploadId, staged, prepared);
  } catch (e) {
    await Promise.all(staged.map((f) => discardArrivalPreparation(f.path)));
    throw e;
  }
}

/** SEC-04: a zip that extraction would refuse is refused now, with its reason (422), and nothing of it is kept. */
async function refuseUnsafeArchives(ctx: ServiceContext, staged: StagedFile[]): Promise<void> {
  for (const f of staged.filter((x) => x.contentType === 'application/zip')) {
    const r = await requestPools(ctx).run<{ ok: true } | { error: string }>('ingest', { zipPath: f.path, limits: ctx.config.upload }, { name: 'checkZip' });
    if ('error' in r) {
      await Promise.all(staged.map((x) => rm(x.path, { force: true })));
      throw new DomainError('UNSAFE_ARCHIVE', `${r.error}; nothing from this request was kept`);
    }
  }
}

/**
 * Records files already staged in the upload's staging folder (each with its hash), with the upload's audit event.
 * On failure the staged files are removed: no 2xx, no trace.
 */
export async function recordStagedFiles(
  ctx: ServiceContext,
  actor: Actor,
  trialId: string,
  uploadId: string,
  staged: StagedFile[],
  /** file id -> its preparation made on arrival, when there is one */
  prepared: ReadonlyMap<string, PreparationRecord | null> = new Map(),
): Promise<Upload> {
  try {
    return await inTransaction(ctx, actor, async (trx, audit, now) => {
      const current = await getUploadRow(trx, trialId, uploadId);
      if (current.state !== 'open') throw new DomainError('CONFLICT', `upload is ${current.state}; files can no longer be added`);
      let ordinal = Number(current.file_count);
      for (const f of staged) {
        ordinal += 1;
        const record = prepared.get(f.fileId);
        await trx.insertInto('upload_files').values({
          id: f.fileId, upload_id: uploadId, ordinal, content_type: f.contentType, bytes: f.bytes, sha256: f.sha256,
          prepared_json: record ? JSON.stringify(record) : null, created_at: now.toISOString(),
        }).execute();
      }
      const bytes = Number(current.bytes) + staged.reduce((n, f) => n + f.bytes, 0);
      await trx.updateTable('uploads').set({ file_count: ordinal, bytes, updated_at: now.toISOString() }).where('id', '=', uploadId).execute();
      audit({ action: 'upload.files_received', entityType: 'upload', entityId: uploadId, trialId, after: { files: staged.map((f) => ({ contentType: f.contentType, bytes: f.bytes, sha256: f.sha256 })) } });
      return uploadRowTo({ ...current, file_count: ordinal, bytes, updated_at: now.toISOString() });
    });
  } catch (e) {
    await Promise.all(staged.map((f) => rm(f.path, { force: true })));
    throw e;
  }
}

/** Closes the upload and queues its ingest (parse, de-identify, store, index, assemble, QC) in the pool. */
export async function completeUpload(ctx: ServiceContext, actor: Actor, trialId: string, uploadId: string): Promise<{ upload: Upload; job: Job }> {
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const upload = await getUploadRow(trx, trialId, uploadId);
    if (upload.state !== 'open') throw new DomainError('CONFLICT', `upload is already ${upload.state}`);
    if (Number(upload.file_count) === 0) throw new DomainError('CONFLICT', 'the upload has no files');
    const job = await enqueueJob(trx, ctx, { type: INGEST_JOB, trialId, payload: { uploadId }, createdBy: actor.userId }, now);
    await trx.updateTable('uploads').set({ state: 'processing', job_id: job.id, updated_at: now.toISOString() }).where('id', '=', uploadId).execute();
    audit({ action: 'upload.complete', entityType: 'upload', entityId: uploadId, trialId, before: { state: 'open' }, after: { state: 'processing', jobId: job.id } });
    return { upload: uploadRowTo({ ...upload, state: 'processing', job_id: job.id }), job };
  });
}
