import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { ReleaseHook } from '../services/ingest/qc-review.js';
import type { ServiceContext } from '../services/service-context.js';
import type { AppEnv } from './app-env.js';
import { type RouteRegistry, clientIpOf } from './define-route.js';
import { type Contract, loadContract } from './openapi-contract.js';
import { problemResponse, toProblem } from './problem.js';
import { auditRoutes } from './routes/audit-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { ingestRoutes } from './routes/ingest-routes.js';
import { qcRoutes } from './routes/qc-routes.js';
import { segmentationRoutes } from './routes/segmentation-routes.js';
import { imageRoutes } from './routes/image-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { jobRoutes } from './routes/job-routes.js';
import { platformRoutes } from './routes/platform-routes.js';
import { trialRoutes } from './routes/trial-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { webAppRoutes } from './web-app.js';

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  database: { ok: boolean; dialect: string; detail?: string };
  blobStore: { ok: boolean; detail?: string };
  workerPool: { ok: boolean; threads: number; queued: number };
}
export type HealthProbe = () => Promise<Health>;

export interface AppDeps {
  ctx: ServiceContext;
  health: HealthProbe;
  /** feature route groups registered after the foundation's (ingest, reading, exports...) */
  extraRoutes?: Array<(reg: RouteRegistry) => void>;
  contract?: Contract;
  /** called in the transaction that releases a timepoint for reading (creates the reading tasks) */
  onTimepointReleased?: ReleaseHook;
  /** the built web application served at /app/ (default: web/dist of this checkout) */
  webDist?: string;
}

export interface CorelabApp {
  app: Hono<AppEnv>;
  registry: RouteRegistry;
}

export function createApp(deps: AppDeps): CorelabApp {
  const app = new Hono<AppEnv>();
  const registry: RouteRegistry = { app, contract: deps.contract ?? loadContract(), ctx: deps.ctx, registered: new Set() };

  app.use(async (c, next) => {
    const requestId = randomUUID();
    c.set('scope', { requestId, clientIp: clientIpOf(c), trialRoles: [], actor: { userId: null, name: 'anonymous', role: 'user' }, params: {}, query: {}, body: undefined });
    await next();
    c.header('x-request-id', requestId);
    c.header('x-content-type-options', 'nosniff');
    c.header('cache-control', c.res.headers.get('cache-control') ?? 'no-store');
  });

  platformRoutes(registry, deps.health);
  authRoutes(registry);
  userRoutes(registry);
  trialRoutes(registry);
  auditRoutes(registry);
  jobRoutes(registry);
  ingestRoutes(registry);
  qcRoutes(registry, deps.onTimepointReleased);
  exportRoutes(registry);
  imageRoutes(registry);
  segmentationRoutes(registry);
  for (const add of deps.extraRoutes ?? []) add(registry);
  // The single-page application, from the same origin as the API; outside the contract (static files only).
  webAppRoutes(app, deps.webDist);

  app.onError((err, c) => {
    const { problem, headers } = toProblem(err, c.get('scope')?.requestId);
    return problemResponse(c, problem, headers);
  });
  app.notFound((c) =>
    problemResponse(c, { type: 'about:blank', title: 'Not found', status: 404, detail: `no route for ${c.req.method} ${new URL(c.req.url).pathname}`, instance: c.get('scope')?.requestId }),
  );
  return { app, registry };
}
