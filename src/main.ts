import { readFileSync } from 'node:fs';
import type { Config } from './config.js';
import { type AppDeps, type CorelabApp, type Health, createApp } from './api/app.js';
import type { RouteRegistry } from './api/define-route.js';
import { readingRoutes } from './api/routes/reading-routes.js';
import { type DatabaseHandle, openDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { INTEGRITY_JOB, integrityJobHandler } from './jobs/integrity-job.js';
import { type JobHandler, JobRunner } from './jobs/job-runner.js';
import { WorkerPools, ingestPoolOptions, segmentationPoolOptions } from './jobs/worker-pools.js';
import { createUser } from './services/accounts.js';
import { exportJobHandler } from './services/exports/export-job.js';
import { EXPORT_JOB } from './services/exports/exports.js';
import { ingestJobHandler } from './services/ingest/ingest-job.js';
import { INGEST_JOB } from './services/ingest/uploads.js';
import { closeRequestPools, requestPools } from './services/ingest/request-pools.js';
import { SEGMENTATION_JOB, segmentationJobHandler } from './services/segmentation/segmentation-job.js';
import { onTimepointReleased } from './services/reading/reader-assignment.js';
import { SYSTEM_ACTOR, type ServiceContext } from './services/service-context.js';
import { BlobStore } from './storage/blob-store.js';

// The one place that wires configuration, database, storage, worker pools, job runner and the HTTP app.
export const PLATFORM_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export interface Platform extends CorelabApp {
  ctx: ServiceContext;
  database: DatabaseHandle;
  blobs: BlobStore;
  pools: WorkerPools;
  runner: JobRunner;
  /** starts the ingest threads (the job runner's and the upload requests') before the server takes traffic */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** start the job runner in this process (serve: yes; CLI one-shot commands: no) */
  runJobs?: boolean;
  now?: () => Date;
}

export async function openPlatform(config: Config, opts: PlatformOptions = {}): Promise<Platform> {
  const database = openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: config.sqliteFile, pgSchema: config.databaseSchema });
  await migrateToLatest(database.db, database.dialect === 'postgres' ? config.databaseSchema : undefined);
  const ctx: ServiceContext = { db: database.db, dialect: database.dialect, config, now: opts.now ?? (() => new Date()) };
  const blobs = new BlobStore(config.blobDir);
  await blobs.init();
  const pools = new WorkerPools({
    threads: config.pool.workers,
    env: { CORELAB_INTRA_OP_THREADS: String(config.pool.intraOpThreads) },
    entries: { segment: segmentationPoolOptions(config), ingest: ingestPoolOptions(config) },
  });
  const handlers: Record<string, JobHandler> = {
    [INTEGRITY_JOB]: integrityJobHandler(blobs),
    [INGEST_JOB]: ingestJobHandler(blobs, onTimepointReleased),
    [EXPORT_JOB]: exportJobHandler(PLATFORM_VERSION),
    [SEGMENTATION_JOB]: segmentationJobHandler(),
  };
  const runner = new JobRunner(ctx, { handlers, pools });
  // a job enqueued by this process starts at once rather than at the runner's next poll (no-op while it is stopped)
  ctx.onJobEnqueued = () => runner.poke();
  const extraRoutes: Array<(reg: RouteRegistry) => void> = [];
  extraRoutes.push(readingRoutes);
  const health = async (): Promise<Health> => {
    const db = await database.db
      .selectFrom('audit_chain_head')
      .select('seq')
      .executeTakeFirst()
      .then(() => ({ ok: true, dialect: database.dialect }))
      .catch((e: Error) => ({ ok: false, dialect: database.dialect, detail: e.message }));
    const blobStore = await blobs.probe();
    const stats = pools.stats();
    const workerPool = { ok: pools.maxThreads > 0, threads: pools.maxThreads, queued: stats.queued };
    const ok = db.ok && blobStore.ok && workerPool.ok;
    return { status: ok ? 'ok' : 'degraded', version: PLATFORM_VERSION, database: db, blobStore, workerPool };
  };
  const deps: AppDeps = { ctx, health, extraRoutes, onTimepointReleased };
  const { app, registry } = createApp(deps);
  if (opts.runJobs) runner.start();
  return {
    app,
    registry,
    ctx,
    database,
    blobs,
    pools,
    runner,
    async warm() {
      await Promise.all([pools.warm('ingest'), requestPools(ctx).warm('ingest')]);
    },
    async close() {
      await runner.stop();
      await pools.close();
      await closeRequestPools(ctx);
      await database.close();
    },
  };
}

/** First administrator from CORELAB_ADMIN_USERNAME / CORELAB_ADMIN_PASSWORD when the platform has none. */
export async function ensureFirstAdmin(ctx: ServiceContext, env: NodeJS.ProcessEnv): Promise<'exists' | 'created' | 'missing'> {
  const admin = await ctx.db.selectFrom('users').select('id').where('is_admin', '=', 1).executeTakeFirst();
  if (admin) return 'exists';
  if (!env.CORELAB_ADMIN_USERNAME || !env.CORELAB_ADMIN_PASSWORD) return 'missing';
  await createUser(ctx, SYSTEM_ACTOR, {
    username: env.CORELAB_ADMIN_USERNAME,
    displayName: env.CORELAB_ADMIN_NAME || env.CORELAB_ADMIN_USERNAME,
    password: env.CORELAB_ADMIN_PASSWORD,
    isAdmin: true,
  });
  return 'created';
}
