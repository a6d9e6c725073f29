import { createHash, createHmac } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import type { PrepareDicomTask, PrepareResult } from '../../../workers/ingest.js';
import type { UploadsTable } from '../../db/schema.js';
import type { DeidentificationOptions } from '../../dicom/profile.js';
import { PROFILE_VERSION } from '../../dicom/profile.js';
import { toDeidentificationOptions } from '../../protocols/deidentification.js';
import type { ServiceContext } from '../service-context.js';
import type { StagedFile } from './upload-staging.js';
import type { WorkerPools } from '../../jobs/worker-pools.js';

// A file is parsed and de-identified in the pool as soon as it has been staged, while the rest of the upload is
// still arriving, so the ingest job (which stays the authority) finds the work done instead of starting it after
// the last byte. What is kept is what the job would have computed: the de-identified copy beside the staged file
// (`<file>.deid`, fsynced by the worker) and the worker's answer, committed with the file's row
// (upload_files.prepared_json: de-identified UIDs, digests, technical parameters; never an identifying value).
// Being in the file's row, the record was made from that row's bytes; the job uses it only when it was made under
// the same trial context, profile and options (the fingerprint) and the copy is there at its recorded size;
// otherwise it prepares the file itself from the staged file. Nothing here is ever visible to a user.

/** The trial's own key for UID pseudonyms and date shifts, derived from the platform key (kept outside the DB). */
export function trialKeyHex(secretKey: Buffer, trialId: string): string {
  return createHmac('sha256', secretKey).update(`trial-key\u0000${trialId}`).digest('hex');
}

/** What de-identifying an upload's files depends on: the trial, site, subject and visit, and the protocol's options. */
export interface UploadDeidentification {
  context: PrepareDicomTask['context'];
  options: DeidentificationOptions;
  /** sha256 over the profile version, the context and the options */
  fingerprint: string;
}

export async function uploadDeidentification(ctx: ServiceContext, upload: UploadsTable): Promise<UploadDeidentification> {
  const trial = await ctx.db.selectFrom('trials').selectAll().where('id', '=', upload.trial_id).executeTakeFirstOrThrow();
  const subject = await ctx.db.selectFrom('subjects').selectAll().where('id', '=', upload.subject_id!).executeTakeFirstOrThrow();
  const site = await ctx.db.selectFrom('sites').selectAll().where('id', '=', subject.site_id).executeTakeFirstOrThrow();
  const timepoint = await ctx.db.selectFrom('timepoints').selectAll().where('id', '=', upload.timepoint_id!).executeTakeFirstOrThrow();
  const options = toDeidentificationOptions(JSON.parse(trial.protocol_json).deidentification);
  const context = {
    trialKeyHex: trialKeyHex(ctx.config.secretKey, trial.id),
    sponsorName: trial.sponsor_name,
    protocolId: trial.code,
    protocolName: trial.title,
    siteId: site.code,
    subjectId: subject.subject_code,
    timepointId: timepoint.visit_code,
    timepointDescription: timepoint.label,
  };
  const fingerprint = createHash('sha256').update(JSON.stringify({ profile: PROFILE_VERSION, context, options })).digest('hex');
  return { context, options, fingerprint };
}

/** Committed with the file's row, whose sha256 names the bytes it was made from. */
export interface PreparationRecord {
  fingerprint: string;
  result: PrepareResult;
}

export const deidentifiedCopyPath = (file: string) => `${file}.deid`;

/**
 * Prepares one staged DICOM file in `pools` (handing it the bytes the upload gathered, when it has them). Never
 * throws: a preparation that could not be made gives null, and the job makes it. A server-side failure (no space)
 * gives null too.
 */
export async function prepareOnArrival(pools: WorkerPools, deid: UploadDeidentification, file: StagedFile): Promise<PreparationRecord | null> {
  const outPath = deidentifiedCopyPath(file.path);
  try {
    const task: PrepareDicomTask = { path: file.path, outPath, context: deid.context, options: deid.options, sourceSha256: file.sha256, source: file.content };
    const result = await pools.run<PrepareResult>('ingest', task, { name: 'prepareDicom', transferList: file.content ? [file.content.buffer] : undefined });
    if (!result.ok && result.storageFull) return null;
    return { fingerprint: deid.fingerprint, result };
  } catch {
    await rm(outPath, { force: true });
    return null;
  }
}

/** Removes the de-identified copy `prepareOnArrival` left beside a staged file (the file itself is the caller's). */
export async function discardArrivalPreparation(file: string): Promise<void> {
  await rm(deidentifiedCopyPath(file), { force: true });
}

/**
 * The preparation recorded with `file`'s row when it arrived, if it still holds: same fingerprint, and (for a file
 * that was de-identified) its copy present at the recorded size. Otherwise null, and the caller prepares it.
 */
export async function arrivalPreparation(recorded: string | null, file: string, fingerprint: string): Promise<PrepareResult | null> {
  if (!recorded) return null;
  let record: PreparationRecord;
  try {
    record = JSON.parse(recorded) as PreparationRecord;
  } catch {
    return null;
  }
  if (record.fingerprint !== fingerprint || !record.result) return null;
  if (record.result.ok) {
    const size = await stat(deidentifiedCopyPath(file)).then((s) => s.size, () => -1);
    if (size !== record.result.bytes) return null;
  }
  return record.result;
}
