import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.js';
import { openPlatform, type Platform } from '../../src/main.js';
import { createUser, verifyIdentity, type User } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR } from '../../src/services/service-context.js';
import { addMember, createSite, createTrial, type Trial } from '../../src/services/trials.js';
import type { TrialRole } from '../../src/domain/roles.js';

// Every API test runs against a real database through the real migrations: a fresh SQLite file in a temp
// folder, or, when DATABASE_URL names PostgreSQL, a fresh schema on that server.
export const DIALECT = process.env.DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';

export const TEST_PASSWORD = 'Correct-horse-battery-9';

/** Response whose JSON body is untyped in tests (assertions check it). */
export interface TestResponse extends Response {
  json(): Promise<any>;
}

export interface TestPlatform extends Platform {
  dataDir: string;
  config: Config;
  env: Record<string, string>;
  request(method: string, url: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
  login(username: string, password?: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function createTestPlatform(
  opts: { now?: () => Date; env?: Record<string, string>; runJobs?: boolean; /** a PostgreSQL server of the test's own (FLT-05), used as is */ databaseUrl?: string } = {},
): Promise<TestPlatform> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'corelab-test-'));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    CORELAB_SECRET_KEY: randomBytes(32).toString('hex'),
    CORELAB_SCRYPT_LOG_N: '10', // cheap hashes in tests; production default is 17 (tested separately)
    CORELAB_WORKERS: '1',
    JOB_POLL_MS: '50',
    LOGIN_RATE_PER_IP: '1000', // every test request comes from one address; the limiter has its own test
    LOGIN_RATE_PER_USER: '1000',
    ...opts.env,
  };
  const sharedPostgres = DIALECT === 'postgres' && !opts.databaseUrl;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  if (sharedPostgres) {
    // dropped with the run's others at its end (postgres-test-schemas.ts), never while other files migrate
    const schema = `${process.env.CORELAB_TEST_SCHEMA_PREFIX ?? 't_'}${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
    env.DATABASE_URL = process.env.DATABASE_URL!;
    env.DATABASE_SCHEMA = schema;
  }
  const config = loadConfig(env as NodeJS.ProcessEnv);
  const platform = await openPlatform(config, { now: opts.now, runJobs: opts.runJobs });
  const request: TestPlatform['request'] = (method, url, o = {}) =>
    Promise.resolve<TestResponse>(
      platform.app.request(url, {
        method,
        headers: {
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...o.headers,
        },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      }),
    );
  return {
    ...platform,
    dataDir,
    config,
    env,
    request,
    async login(username, password = TEST_PASSWORD) {
      const res = await request('POST', '/auth/login', { body: { username, password } });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async dispose() {
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function seedUser(p: Platform, username: string, opts: { admin?: boolean; verified?: boolean } = {}): Promise<User> {
  const u = await createUser(p.ctx, SYSTEM_ACTOR, { username, displayName: `${username} (test)`, password: TEST_PASSWORD, isAdmin: opts.admin });
  if (opts.verified) {
    await verifyIdentity(p.ctx, { userId: 'verifier', name: 'identity verifier', role: 'admin' }, u.id, 'in-person ID check');
  }
  return u;
}

export async function seedTrial(p: Platform, code: string): Promise<{ trial: Trial; siteId: string }> {
  const trial = await createTrial(p.ctx, SYSTEM_ACTOR, { code, title: `Trial ${code}`, sponsorName: 'Acme Oncology', protocol: 'bicr-recist-1.1' });
  const site = await createSite(p.ctx, SYSTEM_ACTOR, trial.id, { code: `S${code.replace(/\W/g, '').slice(-6)}`, name: `Site of ${code}` });
  return { trial, siteId: site.id };
}

export async function grant(p: Platform, trialId: string, userId: string, role: TrialRole): Promise<void> {
  await addMember(p.ctx, SYSTEM_ACTOR, { trialId, userId, role });
}
