import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { type ExecutionProvider, executionProviderFromEnv } from './segmentation/execution-provider.js';
import { DEFAULT_LESION_MODEL_ID, defaultModelRegistryDir } from './segmentation/model-registry.js';

// Every setting the platform reads from its environment, read once here (the domain never reads env).
export interface Config {
  port: number;
  dataDir: string;
  /** postgres://... selects PostgreSQL; otherwise SQLite at <dataDir>/corelab.sqlite */
  databaseUrl?: string;
  /** PostgreSQL schema (search_path) to use; default: the server's default (public) */
  databaseSchema?: string;
  sqliteFile: string;
  blobDir: string;
  /** HMAC key for signatures and UID pseudonymisation; kept outside the database */
  secretKey: Buffer;
  session: { idleMinutes: number; absoluteHours: number };
  password: { scryptLogN: number; minLength: number };
  lockout: { maxFailures: number; lockMinutes: number };
  loginRateLimit: { perMinutePerIp: number; perMinutePerUser: number };
  pool: { workers: number; intraOpThreads: number };
  jobs: { leaseSeconds: number; pollMs: number; maxQueued: number; storageRetrySeconds: number };
  /** AI segmentation: the model registry, the provider the pool asks onnxruntime for, and its own queue bound */
  segmentation: { registryDir: string; defaultModelId: string; executionProvider: ExecutionProvider; maxQueued: number };
  upload: { maxBytes: number; maxFiles: number; maxUnzippedBytes: number; maxZipRatio: number };
  /** JSON request bodies are read into memory, so they have their own small cap (uploads stream to disk) */
  http: { maxJsonBytes: number };
  /** fault injection for crash tests (FLT-01/02): named points where the process kills itself */
  crashAt?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

function int(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const workers = int(env, 'CORELAB_WORKERS', Math.max(1, Math.min(cores, 4)));
  return {
    port: int(env, 'PORT', 3000),
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    sqliteFile: path.join(dataDir, 'corelab.sqlite'),
    blobDir: path.join(dataDir, 'blobs'),
    secretKey: loadSecretKey(env, dataDir),
    session: { idleMinutes: int(env, 'SESSION_IDLE_MINUTES', 30), absoluteHours: int(env, 'SESSION_ABSOLUTE_HOURS', 12) },
    // OWASP: scrypt N=2^17, r=8, p=1. Tests may lower the cost; the parameters are stored with each hash.
    password: { scryptLogN: int(env, 'CORELAB_SCRYPT_LOG_N', 17), minLength: int(env, 'PASSWORD_MIN_LENGTH', 12) },
    lockout: { maxFailures: int(env, 'LOCKOUT_MAX_FAILURES', 5), lockMinutes: int(env, 'LOCKOUT_MINUTES', 15) },
    loginRateLimit: {
      perMinutePerIp: int(env, 'LOGIN_RATE_PER_IP', 20),
      perMinutePerUser: int(env, 'LOGIN_RATE_PER_USER', 10),
    },
    // workers x intra-op threads must fit the cores (onnxruntime spins its own threads per session)
    pool: { workers, intraOpThreads: int(env, 'CORELAB_INTRA_OP_THREADS', Math.max(1, Math.floor(cores / workers))) },
    jobs: {
      leaseSeconds: int(env, 'JOB_LEASE_SECONDS', 60),
      pollMs: int(env, 'JOB_POLL_MS', 250),
      maxQueued: int(env, 'JOB_MAX_QUEUED', 1000),
      // a job that found the disk or the database full waits this long before trying again (no attempt spent)
      storageRetrySeconds: int(env, 'JOB_STORAGE_RETRY_SECONDS', 30),
    },
    segmentation: {
      registryDir: path.resolve(env.CORELAB_MODEL_REGISTRY || defaultModelRegistryDir()),
      defaultModelId: env.CORELAB_DEFAULT_SEGMENTATION_MODEL || DEFAULT_LESION_MODEL_ID,
      executionProvider: executionProviderFromEnv(env),
      // a reader waits on each segmentation: a short queue answers 429 early rather than minutes late
      maxQueued: int(env, 'CORELAB_SEGMENT_MAX_QUEUED', 64),
    },
    upload: {
      maxBytes: int(env, 'UPLOAD_MAX_BYTES', 4 * 1024 ** 3),
      maxFiles: int(env, 'UPLOAD_MAX_FILES', 5000),
      maxUnzippedBytes: int(env, 'UPLOAD_MAX_UNZIPPED_BYTES', 8 * 1024 ** 3),
      maxZipRatio: int(env, 'UPLOAD_MAX_ZIP_RATIO', 100),
    },
    http: { maxJsonBytes: int(env, 'API_MAX_JSON_BYTES', 1024 * 1024) },
    crashAt: env.CORELAB_CRASH_AT || undefined,
    logLevel: (env.LOG_LEVEL as Config['logLevel']) || 'info',
  };
}

/** CORELAB_SECRET_KEY (hex, 32 bytes) or a key generated once into <dataDir>/secret.key with mode 0600. */
function loadSecretKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  if (env.CORELAB_SECRET_KEY) {
    const key = Buffer.from(env.CORELAB_SECRET_KEY, 'hex');
    if (key.length < 32) throw new Error('CORELAB_SECRET_KEY must be at least 32 bytes of hex');
    return key;
  }
  const file = path.join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}
