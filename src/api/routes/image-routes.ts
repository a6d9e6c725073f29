// Image access: a timepoint's series with geometry, one slice (PNG or raw int16), the whole volume, and the
// de-identification ledger (core-lab staff). Access beyond x-access (readers and adjudicators see only the
// timepoints they work on) lives in src/services/ingest/image-access.ts, shared by every image route.
import type { Context } from 'hono';
import { type ImageBytes, instanceLedger, listTimepointSeries, seriesSlice, seriesVolume } from '../../services/ingest/images.js';
import type { Caller } from '../../services/reading/caller.js';
import type { AppEnv, RequestScope } from '../app-env.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';

const callerOf = (s: RequestScope): Caller => ({ userId: s.session!.user.id, isAdmin: s.session!.user.isAdmin, trialRoles: s.trialRoles });

/**
 * Pixels answer with a content-derived ETag (304 on If-None-Match). Responses are private (access-controlled);
 * once reading of the timepoint has started its images can no longer change, so they are cached as immutable.
 */
export function imageResponse(c: Context<AppEnv>, img: ImageBytes): Response {
  const headers: Record<string, string> = {
    etag: img.etag,
    'cache-control': img.immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache',
    ...img.headers,
  };
  const match = c.req.header('if-none-match');
  if (match && match.split(',').some((t) => t.trim() === img.etag)) return new Response(null, { status: 304, headers });
  return new Response(img.bytes, { status: 200, headers: { ...headers, 'content-type': img.contentType, 'content-length': String(img.bytes.byteLength) } });
}

export function imageRoutes(reg: RouteRegistry): void {
  const { ctx } = reg;
  defineRoute(reg, 'get', '/trials/{trialId}/timepoints/{timepointId}/series', async (s, c) =>
    c.json(await listTimepointSeries(ctx, callerOf(s), s.params.trialId, s.params.timepointId)),
  );
  defineRoute(reg, 'get', '/trials/{trialId}/series/{seriesId}/slices/{k}', async (s, c) => {
    const q = s.query as { format: 'png' | 'raw'; center?: number; width?: number };
    return imageResponse(c, await seriesSlice(ctx, callerOf(s), s.params.trialId, s.params.seriesId, Number(s.params.k), q));
  });
  defineRoute(reg, 'get', '/trials/{trialId}/series/{seriesId}/volume', async (s, c) =>
    imageResponse(c, await seriesVolume(ctx, callerOf(s), s.params.trialId, s.params.seriesId)),
  );
  defineRoute(reg, 'get', '/trials/{trialId}/instances/{instanceId}/ledger', async (s, c) => c.json(await instanceLedger(ctx, s.params.trialId, s.params.instanceId)));
}
