import { WorkerPools, ingestPoolOptions } from '../../jobs/worker-pools.js';
import type { ServiceContext } from '../service-context.js';

// Pixel work on the request path (slices, volumes, STOW-RS header reads) runs in its own Piscina pool, so a long
// ingest job in the job runner's pool never delays a reader's slice, and the API's event loop never parses DICOM.
// One pool set per platform context, created on first use; idle Piscina workers are unref'd, so an unused pool
// holds nothing open.
const pools = new WeakMap<ServiceContext, WorkerPools>();

export function requestPools(ctx: ServiceContext): WorkerPools {
  let p = pools.get(ctx);
  if (!p) {
    p = new WorkerPools({ threads: ctx.config.pool.workers, entries: { ingest: ingestPoolOptions(ctx.config) } });
    pools.set(ctx, p);
  }
  return p;
}

export async function closeRequestPools(ctx: ServiceContext): Promise<void> {
  await pools.get(ctx)?.close();
  pools.delete(ctx);
}
