// @req FLT-05: the PostgreSQL postmaster is killed (SIGKILL) in the middle of an ingest's commit, on a private server
// this test starts (initdb and postgres on its own port; the shared server is never touched). A second session holds the
// audit chain head, as a concurrent writer would, so the commit is caught after it has written the imaging index and
// the de-identification ledger, while it waits to append audit events; the postmaster dies then. While the
// server is down the platform stays up: /health says the database is down (503), API calls answer 503 problem+json
// with Retry-After, and the job runner neither crashes nor records anything. The server is started again (crash
// recovery rolls the open transaction back); the pool reconnects, /health is ok, the job's lease expires and it runs
// again: the ingest commits once (no duplicate rows, one event per instance) and the audit chain verifies.
// Runs once, in the SQLite pass (the platform under test is on the private server either way).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-log.js';
import { DATABASE_UNAVAILABLE_DETAIL } from '../../src/db/unavailable.js';
import { getJob } from '../../src/jobs/job-queue.js';
import { DIALECT, type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';
import { type PrivatePostgres, privatePostgresUnavailable, startPrivatePostgres } from '../helpers/private-postgres.js';
import { type IngestTrial, ctSeries, footprint, formData, openUpload, send, setupIngestTrial } from './ingest-fixture.js';

const skipReason = DIALECT === 'postgres' ? 'runs once, in the SQLite pass (it starts its own PostgreSQL server)' : privatePostgresUnavailable();
if (skipReason) console.log(`FLT-05 skipped: ${skipReason}`);

const until = async <T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.skipIf(skipReason !== null)('FLT-05: PostgreSQL postmaster killed mid-commit', () => {
  let server: PrivatePostgres;
  let p: TestPlatform;
  let t: IngestTrial;
  const clients: pg.Client[] = [];
  const session = async () => {
    const c = new pg.Client({ connectionString: server.url });
    c.on('error', () => {}); // its server is about to be killed
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startPrivatePostgres();
    p = await createTestPlatform({ databaseUrl: server.url, env: { JOB_LEASE_SECONDS: '2' } });
    t = await setupIngestTrial(p, 'ING-PGKILL');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await p?.dispose();
    await server?.destroy();
  });

  it('reconnects after the restart, answers 503 meanwhile, and the ingest commits exactly once', async () => {
    const n = 12;
    const uploadId = await openUpload(p, t);
    const files = ctSeries('pg-kill', { slices: n });
    expect((await send(p, 'POST', `/trials/${t.trialId}/uploads/${uploadId}/files`, t.sponsorToken, formData(files.map((bytes, i) => ({ bytes, name: `${i}.dcm` }))))).status).toBe(201);
    const jobId = (await (await p.request('POST', `/trials/${t.trialId}/uploads/${uploadId}/complete`, { token: t.sponsorToken })).json()).id;
    const before = await footprint(p, t.trialId);

    // Another writer holds the chain head: the commit will write its rows, then wait for it.
    const holder = await session();
    await holder.query('BEGIN');
    await holder.query('SELECT seq FROM audit_chain_head WHERE id = 1 FOR UPDATE');
    const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;

    p.runner.start();
    const monitor = await session();
    const committing = await until('the ingest commit to wait on the audit chain head', async () => {
      const r = await monitor.query(
        `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%audit_chain_head%' AND pid <> $1`,
        [holderPid],
      );
      return r.rows[0]?.pid as number | undefined;
    });
    // Mid-transaction: the waiting backend has written the imaging index and the ledger, none of it committed.
    const written = await monitor.query(
      `SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = $1 AND l.mode = 'RowExclusiveLock' AND c.relkind = 'r'`,
      [committing],
    );
    expect(written.rows.map((r) => r.relname)).toEqual(expect.arrayContaining(['studies', 'series', 'instances', 'deid_ledger']));

    await server.killPostmaster();

    // Down: the platform answers, says why, and stores nothing.
    const health = await p.request('GET', '/health');
    expect(health.status).toBe(503);
    expect((await health.json()).database).toMatchObject({ ok: false, dialect: 'postgres' });
    const read = await p.request('GET', `/trials/${t.trialId}/uploads/${uploadId}`, { token: t.sponsorToken });
    expect(read.status).toBe(503);
    expect(read.headers.get('content-type')).toBe('application/problem+json');
    expect(read.headers.get('retry-after')).toBe('5');
    expect(await read.json()).toMatchObject({ type: 'https://corelab.dev/problems/unavailable', status: 503, detail: DATABASE_UNAVAILABLE_DETAIL });
    // The runner saw its commit fail and could not record it; it keeps polling without crashing the process.
    await new Promise((r) => setTimeout(r, 500));

    await server.start();
    const healthy = await until('/health to report the database again', async () => {
      const h = await p.request('GET', '/health');
      return h.status === 200 ? h.json() : undefined;
    });
    expect(healthy.database).toEqual({ ok: true, dialect: 'postgres' });

    // Crash recovery rolled the commit back: no row of it exists. Its blobs were durably placed before the commit
    // (a row never names a missing file); no row names them, so nobody sees them, and the re-run names exactly them.
    expect(await footprint(p, t.trialId)).toEqual({ ...before, blobs: before.blobs + n });
    const visits = await (await p.request('GET', `/trials/${t.trialId}/subjects/${t.subjectId}/visits`, { token: t.sponsorToken })).json();
    expect(visits.find((v: any) => v.visitCode === 'BASELINE')).toMatchObject({ state: 'expected', series: 0, instances: 0 });
    // Once the lease expires the job runs again and commits once.
    const job = await until('the job to succeed', async () => {
      const j = await getJob(p.ctx, jobId);
      return j.state === 'succeeded' || j.state === 'failed' ? j : undefined;
    });
    expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
    await p.runner.stop();

    expect(await footprint(p, t.trialId)).toEqual({
      studies: before.studies + 1, series: before.series + 1, instances: before.instances + n, ledger: before.ledger + n, blobs: before.blobs + n, instanceEvents: before.instanceEvents + n,
    });
    const sops = await p.ctx.db.selectFrom('instances').select('sop_instance_uid').where('trial_id', '=', t.trialId).execute();
    expect(new Set(sops.map((s) => s.sop_instance_uid)).size).toBe(sops.length);
    const ingestEvents = await p.ctx.db.selectFrom('audit_events').select('action').where('entity_id', '=', uploadId).where('action', '=', 'upload.ingest').execute();
    expect(ingestEvents).toHaveLength(1);
    const done = await (await p.request('GET', `/trials/${t.trialId}/uploads/${uploadId}`, { token: t.sponsorToken })).json();
    expect(done.state).toBe('completed');
    expect(done.outcome.map((o: any) => o.outcome)).toEqual(Array(n).fill('ingested'));
    expect(await verifyAuditChain(p.ctx.db)).toMatchObject({ ok: true });
  }, 60_000);
});
