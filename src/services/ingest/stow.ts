// DICOMweb STOW-RS (PS3.18 10.5): POST /dicomweb/trials/{trialId}/studies, multipart/related; type="application/dicom".
// Parts stream to staging (never held whole in memory). Each part's subject and visit come from its clinical trial
// attributes (0012,0040)/(0012,0050), read in the pool, or from the upload the request is bound to (?upload=).
// The files then go through the same ingest job as any upload (one upload per subject and visit), and the answer is
// a Store Instances Response in DICOM JSON. The source UIDs echoed in FailedSOPSequence go back to the sender only:
// they are kept in memory for the response and stored nowhere.
import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PeekResult } from '../../../workers/ingest.js';
import type { Actor } from '../../audit/audit-log.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { fsyncPath, mkdirDurably } from '../../storage/blob-store.js';
import { type Job, getJob, jobView } from '../../jobs/job-queue.js';
import type { ServiceContext } from '../service-context.js';
import { createTimepoint } from '../trials.js';
import { requestPools } from './request-pools.js';
import { type StagedFile, stageRequestBody, stagingDir } from './upload-staging.js';
import { type FileOutcome, completeUpload, createUpload, getUploadRow, recordStagedFiles } from './uploads.js';

/** PS3.18 Table 10.5.3-2 failure reasons (and PS3.4 C.4.2.1.4 statuses) we answer with. */
export const STOW_FAILURE = {
  processingFailure: 0x0110,
  duplicateSopInstance: 0x0111,
  outOfResources: 0xa700,
  cannotUnderstand: 0xc000,
} as const;

/** How long the request waits for its ingest before answering 202 with the job (bounded, PS3.18 10.5.3). */
export const STOW_WAIT_MS = 60_000;

interface Part {
  index: number;
  staged: StagedFile;
  peek: PeekResult;
  /** where it went: upload and ordinal within it, or why it failed before ingest */
  uploadId?: string;
  ordinal?: number;
  failure?: { code: number; reason: string };
}

export type StowResult =
  | { status: 200 | 202 | 409; body: Record<string, unknown>; warnings: string[] }
  | { status: 202; pending: ReturnType<typeof jobView>[]; location: string };

const sequence = (items: Array<Record<string, unknown>>) => ({ vr: 'SQ', Value: items });

async function waitForJobs(ctx: ServiceContext, ids: string[], waitMs: number): Promise<Job[] | null> {
  const until = Date.now() + waitMs;
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => getJob(ctx, id)));
    if (jobs.every((j) => j.state === 'succeeded' || j.state === 'failed' || j.state === 'cancelled')) return jobs;
    if (Date.now() >= until) return null;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function storeInstances(
  ctx: ServiceContext,
  actor: Actor,
  trialId: string,
  input: { body: ReadableStream<Uint8Array> | null; contentType: string; declaredBytes?: number | null; uploadId?: string; boundSiteId: string | null; waitMs?: number },
): Promise<StowResult> {
  if (!/^multipart\/related\b/i.test(input.contentType.trim())) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'STOW-RS takes multipart/related; type="application/dicom"');
  }
  const limits = ctx.config.upload;
  let parts: Part[];
  if (input.uploadId) {
    // Bound to an open upload: its subject and visit apply to every part.
    const upload = await getUploadRow(ctx.db, trialId, input.uploadId);
    if (upload.state !== 'open') throw new DomainError('CONFLICT', `upload is ${upload.state}; files can no longer be added`);
    if (actor.userId !== upload.created_by) throw new DomainError('FORBIDDEN', 'only the sponsor user who created the upload may add files to it');
    const dir = stagingDir(ctx.config.dataDir, upload.id);
    const staged = await stageRequestBody(input.body, input.contentType, dir, { maxBytes: limits.maxBytes - Number(upload.bytes), maxFiles: limits.maxFiles - Number(upload.file_count) }, input.declaredBytes);
    const peeks = await peekAll(ctx, staged);
    const first = Number(upload.file_count);
    await recordStagedFiles(ctx, actor, trialId, upload.id, staged);
    parts = staged.map((s, i) => ({ index: i, staged: s, peek: peeks[i], uploadId: upload.id, ordinal: first + i + 1 }));
    await completeUpload(ctx, actor, trialId, upload.id);
  } else {
    const scratch = stagingDir(ctx.config.dataDir, randomUUID());
    try {
      const staged = await stageRequestBody(input.body, input.contentType, scratch, { maxBytes: limits.maxBytes, maxFiles: limits.maxFiles }, input.declaredBytes);
      const peeks = await peekAll(ctx, staged);
      parts = staged.map((s, i) => ({ index: i, staged: s, peek: peeks[i] }));
      await routeParts(ctx, actor, trialId, parts, input.boundSiteId);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  const uploads = [...new Set(parts.flatMap((p) => (p.uploadId ? [p.uploadId] : [])))];
  const jobIds: string[] = [];
  for (const id of uploads) {
    const u = await getUploadRow(ctx.db, trialId, id);
    if (u.job_id) jobIds.push(u.job_id);
  }
  const jobs = jobIds.length ? await waitForJobs(ctx, jobIds, input.waitMs ?? STOW_WAIT_MS) : [];
  if (jobs === null) {
    const pending = await Promise.all(jobIds.map((id) => getJob(ctx, id)));
    return { status: 202, pending: pending.map(jobView), location: `/jobs/${jobIds[0]}` };
  }
  return storeResponse(ctx, trialId, parts);
}

async function peekAll(ctx: ServiceContext, staged: StagedFile[]): Promise<PeekResult[]> {
  const pools = requestPools(ctx);
  return Promise.all(staged.map((s) => pools.run<PeekResult>('ingest', { path: s.path }, { name: 'peekDicom' })));
}

/**
 * Unbound request: parts are grouped by their (0012,0040) subject and (0012,0050) visit; each group becomes an
 * upload of that subject's visit (a charter-scheduled visit not yet created is created), and its ingest is queued.
 */
async function routeParts(ctx: ServiceContext, actor: Actor, trialId: string, parts: Part[], boundSiteId: string | null): Promise<void> {
  const groups = new Map<string, Part[]>();
  for (const p of parts) {
    if (!p.peek.ok) {
      p.failure = { code: STOW_FAILURE.cannotUnderstand, reason: p.peek.reason };
      continue;
    }
    if (!p.peek.subjectId || !p.peek.timepointId) {
      p.failure = { code: STOW_FAILURE.processingFailure, reason: 'the instance has no Clinical Trial Subject ID (0012,0040) or Time Point ID (0012,0050); set them, or bind the request to an upload with ?upload=' };
      continue;
    }
    const key = JSON.stringify([p.peek.subjectId, p.peek.timepointId]);
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const trial = await ctx.db.selectFrom('trials').select('protocol_json').where('id', '=', trialId).executeTakeFirstOrThrow();
  const schedule: Array<{ code: string; visitNum: number; label: string }> = JSON.parse(trial.protocol_json).visits ?? [];
  for (const [key, members] of groups) {
    const [subjectCode, visitCode] = JSON.parse(key) as [string, string];
    const fail = (reason: string) => members.forEach((m) => (m.failure = { code: STOW_FAILURE.processingFailure, reason }));
    const subject = await ctx.db.selectFrom('subjects').selectAll().where('trial_id', '=', trialId).where('subject_code', '=', subjectCode).executeTakeFirst();
    // P11-DEV-01: a site-bound sponsor sends for its own site's subjects only; others do not exist for it.
    if (!subject || (boundSiteId && subject.site_id !== boundSiteId)) {
      fail('Clinical Trial Subject ID (0012,0040) names no subject enrolled in this trial');
      continue;
    }
    let tp = await ctx.db.selectFrom('timepoints').select(['id']).where('subject_id', '=', subject.id).where('visit_code', '=', visitCode).executeTakeFirst();
    if (!tp) {
      const planned = schedule.find((v) => v.code === visitCode);
      if (!planned) {
        fail('Clinical Trial Time Point ID (0012,0050) names no visit of this subject or of the charter schedule');
        continue;
      }
      tp = await createTimepoint(ctx, actor, trialId, subject.id, { visitCode: planned.code, visitNum: planned.visitNum, label: planned.label });
    }
    try {
      const upload = await createUpload(ctx, actor, trialId, { subjectId: subject.id, timepointId: tp.id, channel: 'stow-rs' }, boundSiteId);
      const dir = stagingDir(ctx.config.dataDir, upload.id);
      await mkdirDurably(dir);
      const moved: StagedFile[] = [];
      for (const m of members) {
        const to = path.join(dir, m.staged.fileId);
        await rename(m.staged.path, to);
        moved.push({ ...m.staged, path: to });
      }
      await fsyncPath(dir); // the moved names are durable before the rows that name them commit
      await recordStagedFiles(ctx, actor, trialId, upload.id, moved);
      members.forEach((m, i) => {
        m.uploadId = upload.id;
        m.ordinal = i + 1;
      });
      await completeUpload(ctx, actor, trialId, upload.id);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      fail(e.detail);
    }
  }
}

/** PS3.18 Store Instances Response (DICOM JSON): what was stored, what failed and why. */
async function storeResponse(ctx: ServiceContext, trialId: string, parts: Part[]): Promise<StowResult> {
  const outcomes = new Map<string, FileOutcome[]>();
  const timepointOf = new Map<string, string | null>();
  for (const id of new Set(parts.flatMap((p) => (p.uploadId ? [p.uploadId] : [])))) {
    const u = await getUploadRow(ctx.db, trialId, id);
    outcomes.set(id, u.outcome_json ? JSON.parse(u.outcome_json) : []);
    timepointOf.set(id, u.timepoint_id);
  }
  const referenced: Array<Record<string, unknown>> = [];
  const failed: Array<Record<string, unknown>> = [];
  const warnings: string[] = [];
  for (const p of parts) {
    const sop = p.peek.ok ? { '00081150': { vr: 'UI', Value: [p.peek.sopClassUid] } } : {};
    let failure = p.failure;
    if (!failure && p.uploadId) {
      const o = outcomes.get(p.uploadId)!.find((x) => x.ordinal === p.ordinal);
      if (o && (o.outcome === 'ingested' || o.outcome === 'quarantined' || o.outcome === 'duplicate')) {
        referenced.push({ ...sop, '00081155': { vr: 'UI', Value: [o.sopInstanceUid] } });
        if (o.outcome !== 'ingested') warnings.push(`part ${p.index + 1}: ${o.outcome}${o.reason ? `: ${o.reason}` : ''}`);
        continue;
      }
      failure = { code: p.peek.ok ? STOW_FAILURE.processingFailure : STOW_FAILURE.cannotUnderstand, reason: o?.reason ?? 'the instance was not ingested' };
    }
    failure ??= { code: STOW_FAILURE.processingFailure, reason: 'the instance was not ingested' };
    failed.push({ ...sop, ...(p.peek.ok ? { '00081155': { vr: 'UI', Value: [p.peek.sopInstanceUid] } } : {}), '00081197': { vr: 'US', Value: [failure.code] } });
    warnings.push(`part ${p.index + 1}: ${failure.reason}`);
  }
  const timepoints = [...new Set(timepointOf.values())].filter((t): t is string => Boolean(t));
  const body: Record<string, unknown> = {
    ...(timepoints.length === 1 ? { '00081190': { vr: 'UR', Value: [`/trials/${trialId}/timepoints/${timepoints[0]}/series`] } } : {}),
    ...(failed.length ? { '00081198': sequence(failed) } : {}),
    ...(referenced.length ? { '00081199': sequence(referenced) } : {}),
  };
  const status = failed.length === 0 ? 200 : referenced.length === 0 ? 409 : 202;
  return { status, body, warnings };
}
