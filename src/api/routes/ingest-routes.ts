import { jobView } from '../../jobs/job-queue.js';
import { addUploadFiles, completeUpload, createUpload, getUploadRow, uploadRowTo } from '../../services/ingest/uploads.js';
import { storeInstances } from '../../services/ingest/stow.js';
import { sponsorSiteOf } from '../../services/trials.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';

/** Content-Length as a number, or null when absent (chunked) or not a plain decimal. */
function declaredLength(header: string | undefined): number | null {
  return header && /^\d+$/.test(header.trim()) ? Number(header.trim()) : null;
}

export function ingestRoutes(reg: RouteRegistry): void {
  const { ctx } = reg;
  defineRoute(reg, 'post', '/trials/{trialId}/uploads', async (s, c) => {
    const bound = await sponsorSiteOf(ctx.db, s.actor.role, s.params.trialId, s.session!.user.id);
    return c.json(await createUpload(ctx, s.actor, s.params.trialId, s.body, bound), 201);
  });
  defineRoute(reg, 'get', '/trials/{trialId}/uploads/{uploadId}', async (s, c) =>
    c.json(uploadRowTo(await getUploadRow(ctx.db, s.params.trialId, s.params.uploadId))),
  );
  defineRoute(reg, 'post', '/trials/{trialId}/uploads/{uploadId}/files', async (s, c) =>
    c.json(await addUploadFiles(ctx, s.actor, s.params.trialId, s.params.uploadId, c.req.raw.body, c.req.header('content-type') ?? '', declaredLength(c.req.header('content-length'))), 201),
  );
  defineRoute(reg, 'post', '/trials/{trialId}/uploads/{uploadId}/complete', async (s, c) => {
    const { job } = await completeUpload(ctx, s.actor, s.params.trialId, s.params.uploadId);
    return c.json(jobView(job), 202, { location: `/jobs/${job.id}` });
  });
  // DICOMweb STOW-RS: the Store Instances Response, with each failure's reason in a Warning header (RFC 9111 5.5).
  defineRoute(reg, 'post', '/dicomweb/trials/{trialId}/studies', async (s, c) => {
    const bound = await sponsorSiteOf(ctx.db, s.actor.role, s.params.trialId, s.session!.user.id);
    const r = await storeInstances(ctx, s.actor, s.params.trialId, { body: c.req.raw.body, contentType: c.req.header('content-type') ?? '', declaredBytes: declaredLength(c.req.header('content-length')), uploadId: s.query.upload as string | undefined, boundSiteId: bound });
    if ('pending' in r) return c.json({ jobs: r.pending }, 202, { location: r.location });
    const headers = new Headers({ 'content-type': 'application/dicom+json' });
    for (const w of r.warnings.slice(0, 50)) headers.append('warning', `299 corelab "${w.replace(/["\\\r\n]/g, ' ')}"`);
    return new Response(JSON.stringify(r.body), { status: r.status, headers });
  });
}
