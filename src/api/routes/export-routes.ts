// SDTM data cuts and read reports: unblinded outputs for biostatisticians, core-lab QC and admins (never readers).
// Handlers unpack the request and call one use case in src/services/exports.
import { jobView } from '../../jobs/job-queue.js';
import { PLATFORM_VERSION } from '../../main.js';
import { downloadExportFile, getExport, listExports, requestExport } from '../../services/exports/exports.js';
import { readReportPdf } from '../../services/exports/read-report.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';

export function exportRoutes(reg: RouteRegistry): void {
  const { ctx } = reg;
  defineRoute(reg, 'post', '/trials/{trialId}/exports', async (s, c) => {
    const { job } = await requestExport(ctx, s.actor, s.params.trialId, s.body);
    return c.json(jobView(job), 202, { location: `/jobs/${job.id}` });
  });
  defineRoute(reg, 'get', '/trials/{trialId}/exports', async (s, c) => c.json(await listExports(ctx, s.params.trialId)));
  defineRoute(reg, 'get', '/trials/{trialId}/exports/{exportId}', async (s, c) => c.json(await getExport(ctx, s.params.trialId, s.params.exportId)));
  defineRoute(reg, 'get', '/trials/{trialId}/exports/{exportId}/files/{name}', async (s, c) => {
    const file = await downloadExportFile(ctx, s.actor, s.params.trialId, s.params.exportId, s.params.name);
    return c.body(new Uint8Array(file.bytes), 200, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.name}"`,
      'x-content-sha256': file.sha256,
    });
  });
  defineRoute(reg, 'get', '/trials/{trialId}/subjects/{subjectId}/read-report.pdf', async (s, c) => {
    const { pdf, sha256 } = await readReportPdf(ctx, s.actor, PLATFORM_VERSION, s.params.trialId, s.params.subjectId);
    return c.body(new Uint8Array(pdf), 200, { 'content-type': 'application/pdf', 'content-disposition': 'inline; filename="read-report.pdf"', 'x-content-sha256': sha256 });
  });
}
