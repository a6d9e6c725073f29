// SDTM data cuts of a trial: request (a durable job builds it), list, inspect, download. Every request, completion,
// failure and download is an audit event (P11-CPY-02: the export itself is audited, with its file hashes).
// Files live under DATA_DIR/exports/<export id>/ with names from the export's manifest only (SEC-06).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Actor } from '../../audit/audit-log.js';
import type { ExportsTable } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import type { Finding } from '../../exports/conformance/findings.js';
import { type ExportManifest, manifestJson } from '../../exports/manifest.js';
import { MANIFEST_FILE_NAME, assertDownloadable } from '../../exports/write-export.js';
import { type Job, enqueueJob, jobRowToJob } from '../../jobs/job-queue.js';
import { sha256hex } from '../../audit/audit-log.js';
import { type ServiceContext, inTransaction } from '../service-context.js';
import { EXPORT_ASSESSMENTS, type ExportAssessment, validateAssessments } from './export-input.js';

export const EXPORT_JOB = 'export.sdtm';

/**
 * What a data cut delivers. XPT, define.xml and the CSV copies are always written (the conformance check reads
 * the XPT and define.xml; the CSV copies are the same rows, primer 8); `xlsx` adds the workbook.
 */
export const EXPORT_FORMATS = ['xpt', 'define-xml', 'csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const ALWAYS_DELIVERED: readonly ExportFormat[] = ['xpt', 'define-xml', 'csv'];

export const EXPORT_STATES = ['queued', 'running', 'passed', 'failed'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];

export interface ExportRequest {
  cutoff: string;
  formats?: ExportFormat[];
  assessments?: ExportAssessment[];
}

export interface ExportParams {
  formats: ExportFormat[];
  assessments: ExportAssessment[];
}

export interface ExportView {
  id: string;
  trialId: string;
  cutoff: string;
  parameters: ExportParams;
  state: ExportState;
  jobId: string | null;
  manifest: ExportManifest | null;
  /** conformance findings (GET of one export); their counts are in the manifest */
  findings?: Finding[];
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The export's folder, from the server-issued id only (SEC-06). */
export function exportDir(dataDir: string, exportId: string): string {
  if (!UUID.test(exportId)) throw new DomainError('NOT_FOUND', 'no such export');
  return path.join(dataDir, 'exports', exportId);
}

type ExportRow = ExportsTable & { job_state?: string | null; job_error?: string | null };

export function exportRowToView(r: ExportRow, withFindings = false): ExportView {
  // A job cancelled (DELETE /jobs/{id}) or failed for good never reaches the export's own commit: the export
  // then reads as failed, with the job's reason.
  const jobEnded = (r.state === 'queued' || r.state === 'running') && (r.job_state === 'cancelled' || r.job_state === 'failed');
  return {
    id: r.id,
    trialId: r.trial_id,
    cutoff: r.cutoff,
    parameters: JSON.parse(r.params_json),
    state: jobEnded ? 'failed' : r.state,
    jobId: r.job_id,
    manifest: r.manifest_json ? JSON.parse(r.manifest_json) : null,
    ...(withFindings ? { findings: r.findings_json ? JSON.parse(r.findings_json) : [] } : {}),
    error: jobEnded ? `export job ${r.job_state}: ${r.job_error ?? 'no detail'}` : r.error,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
  };
}

/** A real calendar date YYYY-MM-DD (the data cut-off). */
export function parseCutoff(cutoff: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(cutoff);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== cutoff) throw new DomainError('VALIDATION_FAILED', `cut-off ${JSON.stringify(cutoff)} is not a calendar date YYYY-MM-DD`);
  return cutoff;
}

export function exportParams(req: ExportRequest): ExportParams {
  const asked = req.formats ?? [...EXPORT_FORMATS];
  const formats = EXPORT_FORMATS.filter((f) => ALWAYS_DELIVERED.includes(f) || asked.includes(f));
  const assessments = EXPORT_ASSESSMENTS.filter((a) => (req.assessments ?? EXPORT_ASSESSMENTS).includes(a));
  validateAssessments(assessments);
  return { formats, assessments };
}

/** Queues a data cut; the job (EXPORT_JOB) builds it in the worker pool. */
export async function requestExport(ctx: ServiceContext, actor: Actor, trialId: string, req: ExportRequest): Promise<{ export: ExportView; job: Job }> {
  const cutoff = parseCutoff(req.cutoff);
  const params = exportParams(req);
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const at = now.toISOString();
    const id = randomUUID();
    await trx
      .insertInto('exports')
      .values({ id, trial_id: trialId, cutoff, params_json: JSON.stringify(params), state: 'queued', job_id: null, manifest_json: null, findings_json: null, error: null, created_by: actor.userId, created_at: at, updated_at: at, completed_at: null })
      .execute();
    const job = await enqueueJob(trx, ctx, { type: EXPORT_JOB, trialId, payload: { exportId: id }, createdBy: actor.userId, maxAttempts: 2 }, now);
    await trx.updateTable('exports').set({ job_id: job.id }).where('id', '=', id).execute();
    audit({ action: 'export.request', entityType: 'export', entityId: id, trialId, after: { cutoff, ...params, jobId: job.id } });
    const row = await trx.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return { export: exportRowToView(row), job };
  });
}

const withJob = (ctx: ServiceContext) =>
  ctx.db.selectFrom('exports').leftJoin('jobs', 'jobs.id', 'exports.job_id').selectAll('exports').select(['jobs.state as job_state', 'jobs.error as job_error']);

export async function getExportRow(ctx: ServiceContext, trialId: string, exportId: string): Promise<ExportRow> {
  const row = await withJob(ctx).where('exports.id', '=', exportId).where('exports.trial_id', '=', trialId).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `export ${exportId} not found`);
  return row;
}

export async function getExport(ctx: ServiceContext, trialId: string, exportId: string): Promise<ExportView> {
  return exportRowToView(await getExportRow(ctx, trialId, exportId), true);
}

export async function listExports(ctx: ServiceContext, trialId: string): Promise<ExportView[]> {
  const rows = await withJob(ctx).where('exports.trial_id', '=', trialId).orderBy('exports.created_at', 'desc').orderBy('exports.id').execute();
  return rows.map((r) => exportRowToView(r));
}

export async function exportJob(ctx: ServiceContext, row: ExportsTable): Promise<Job | null> {
  if (!row.job_id) return null;
  const j = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', row.job_id).executeTakeFirst();
  return j ? jobRowToJob(j) : null;
}

export interface ExportFile {
  name: string;
  contentType: string;
  bytes: Buffer;
  sha256: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.xpt': 'application/octet-stream',
  '.xml': 'application/xml',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * One file of a passed export (or its manifest), audited as a download with its hash. A failed export cannot be
 * downloaded (409; its findings are in GET), nor one still being built. A file whose bytes no longer match the
 * manifest is refused: a certified copy is the bytes that were checked (P11-CPY-02).
 */
export async function downloadExportFile(ctx: ServiceContext, actor: Actor, trialId: string, exportId: string, name: string): Promise<ExportFile> {
  const row = await getExportRow(ctx, trialId, exportId);
  if (!row.manifest_json || (row.state !== 'passed' && row.state !== 'failed')) throw new DomainError('CONFLICT', `export is ${row.state}; files are available once it has passed its conformance check`);
  const manifest = JSON.parse(row.manifest_json) as ExportManifest;
  assertDownloadable(manifest);
  const dir = exportDir(ctx.config.dataDir, row.id);
  let bytes: Buffer;
  if (name === MANIFEST_FILE_NAME) {
    bytes = Buffer.from(manifestJson(manifest), 'utf8');
  } else {
    // The name is only ever used after it matched a manifest entry; the path is built from that entry.
    const entry = manifest.files.find((f) => f.name === name);
    if (!entry) throw new DomainError('NOT_FOUND', 'no such file in this export');
    bytes = await readFile(path.join(dir, entry.name));
    if (sha256hex(bytes) !== entry.sha256) throw new DomainError('CONFLICT', `${entry.name} no longer matches the SHA-256 in the export manifest`);
  }
  const sha256 = sha256hex(bytes);
  await inTransaction(ctx, actor, async (_trx, audit) => {
    audit({ action: 'export.download', entityType: 'export', entityId: row.id, trialId, after: { file: name, sha256, sizeBytes: bytes.length, cutoff: row.cutoff } });
  });
  return { name, contentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream', bytes, sha256 };
}
