// The durable job that builds a data cut: the reading records are read here (main thread, one database); writing
// the files and the conformance check run in the worker pool (workers/export.ts). The export's state, manifest and
// findings commit with the job's completion and one audit event: completion with every file's SHA-256, or failure
// with the findings. A re-run after a crash starts the folder afresh, so the job is idempotent.
import { rm } from 'node:fs/promises';
import type { ExportTask, ExportTaskResult } from '../../../workers/export.js';
import { isDomainError } from '../../domain/errors.js';
import type { Finding } from '../../exports/conformance/findings.js';
import type { Job } from '../../jobs/job-queue.js';
import type { JobHandler } from '../../jobs/job-runner.js';
import { assembleExportInput } from './export-input.js';
import { type ExportParams, exportDir } from './exports.js';

/** Findings kept in the failure's audit event (all of them are in the export row and conformance.json). */
const AUDITED_FINDINGS = 50;

export function exportJobHandler(platformVersion: string): JobHandler {
  return async (job: Job, tools) => {
    const { ctx } = tools;
    const exportId = String(job.payload.exportId);
    const row = await ctx.db.selectFrom('exports').selectAll().where('id', '=', exportId).executeTakeFirstOrThrow();
    if (row.state === 'passed' || row.state === 'failed') {
      await tools.commit(async () => ({ exportId, state: row.state }));
      return;
    }
    await ctx.db.updateTable('exports').set({ state: 'running', updated_at: ctx.now().toISOString() }).where('id', '=', exportId).execute();
    const params = JSON.parse(row.params_json) as ExportParams;
    const dir = exportDir(ctx.config.dataDir, exportId);
    await rm(dir, { recursive: true, force: true });
    let result: ExportTaskResult | undefined;
    let error: string | undefined;
    try {
      const input = await assembleExportInput(ctx.db, { trialId: row.trial_id, cutoff: row.cutoff, assessments: params.assessments });
      const creator = row.created_by ? await ctx.db.selectFrom('users').select('display_name').where('id', '=', row.created_by).executeTakeFirst() : undefined;
      const task: ExportTask = {
        input,
        dir,
        generatedAt: ctx.now().toISOString(),
        generatedBy: creator?.display_name ?? 'Corelab',
        platformVersion,
        workbook: params.formats.includes('xlsx'),
      };
      result = await tools.pools.run<ExportTaskResult>('export', task, { signal: tools.signal });
    } catch (e) {
      // Deterministic refusals fail the export at once; anything else is retried until the last attempt.
      if (tools.signal.aborted || (!isDomainError(e) && job.attempts < job.maxAttempts)) throw e;
      error = isDomainError(e) ? e.detail : e instanceof Error ? e.message : String(e);
    }
    await tools.commit(async (trx, audit, now) => {
      const at = now.toISOString();
      const state = result?.manifest.status === 'passed' ? 'passed' : 'failed';
      const findings: readonly Finding[] = result?.findings ?? [];
      await trx
        .updateTable('exports')
        .set({
          state,
          manifest_json: result ? JSON.stringify(result.manifest) : null,
          findings_json: JSON.stringify(findings),
          error: error ?? null,
          updated_at: at,
          completed_at: at,
        })
        .where('id', '=', exportId)
        .execute();
      const files = result?.manifest.files.map((f) => ({ name: f.name, sha256: f.sha256, sizeBytes: f.sizeBytes })) ?? [];
      const common = { cutoff: row.cutoff, ...params, requestedBy: row.created_by, jobId: job.id, files };
      if (state === 'passed') {
        audit({ action: 'export.complete', entityType: 'export', entityId: exportId, trialId: row.trial_id, after: { ...common, findings: result!.manifest.findings } });
      } else {
        const errors = findings.filter((f) => f.severity === 'error');
        audit({
          action: 'export.fail',
          entityType: 'export',
          entityId: exportId,
          trialId: row.trial_id,
          after: { ...common, error: error ?? null, findings: result?.manifest.findings ?? null, errors: errors.slice(0, AUDITED_FINDINGS) },
        });
      }
      return { exportId, state };
    });
  };
}
