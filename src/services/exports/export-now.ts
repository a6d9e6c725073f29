// `corelab export`: the same data cut as POST /trials/{id}/exports, run to completion in this process. The export
// is requested (audited), its job is run by a runner that handles export jobs only (the work still goes through
// the worker pool), and a passed cut is copied file by file, each copy audited as a download with its hash.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Actor } from '../../audit/audit-log.js';
import { DomainError } from '../../domain/errors.js';
import type { Finding } from '../../exports/conformance/findings.js';
import { MANIFEST_FILE_NAME } from '../../exports/write-export.js';
import { JobRunner } from '../../jobs/job-runner.js';
import type { WorkerPools } from '../../jobs/worker-pools.js';
import type { ServiceContext } from '../service-context.js';
import { exportJobHandler } from './export-job.js';
import { EXPORT_JOB, type ExportRequest, type ExportView, downloadExportFile, getExport, requestExport } from './exports.js';

export interface ExportNowResult {
  export: ExportView;
  /** files written to the output folder with their SHA-256 (passed exports only) */
  copied: Array<{ name: string; sha256: string }>;
  errors: Finding[];
}

export async function exportNow(
  ctx: ServiceContext,
  pools: WorkerPools,
  actor: Actor,
  opts: { trialId: string; request: ExportRequest; outDir: string; platformVersion: string; timeoutMs?: number },
): Promise<ExportNowResult> {
  const { export: requested } = await requestExport(ctx, actor, opts.trialId, opts.request);
  const runner = new JobRunner(ctx, { handlers: { [EXPORT_JOB]: exportJobHandler(opts.platformVersion) }, pools, concurrency: 1 });
  runner.start();
  let view: ExportView;
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
    for (;;) {
      view = await getExport(ctx, opts.trialId, requested.id);
      if (view.state === 'passed' || view.state === 'failed') break;
      const job = view.jobId ? await ctx.db.selectFrom('jobs').select(['state', 'error']).where('id', '=', view.jobId).executeTakeFirst() : undefined;
      if (job && (job.state === 'failed' || job.state === 'cancelled')) throw new DomainError('CONFLICT', `export job ${job.state}: ${job.error ?? 'no detail'}`);
      if (Date.now() > deadline) throw new DomainError('CONFLICT', `export ${requested.id} did not finish in time (state ${view.state})`);
      runner.poke();
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await runner.stop();
  }
  const errors = (view.findings ?? []).filter((f) => f.severity === 'error');
  if (view.state !== 'passed') return { export: view, copied: [], errors };
  await mkdir(opts.outDir, { recursive: true });
  const copied: ExportNowResult['copied'] = [];
  for (const name of [...view.manifest!.files.map((f) => f.name), MANIFEST_FILE_NAME]) {
    const file = await downloadExportFile(ctx, actor, opts.trialId, view.id, name);
    await writeFile(path.join(opts.outDir, file.name), file.bytes);
    copied.push({ name: file.name, sha256: file.sha256 });
  }
  return { export: view, copied, errors };
}
