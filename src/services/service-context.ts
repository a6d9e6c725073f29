import type { Config } from '../config.js';
import type { Db, DialectName, Trx } from '../db/connect.js';
import { type Actor, type AuditRecord, appendAuditEvent } from '../audit/audit-log.js';
import { enqueuedJobIn } from '../jobs/job-queue.js';

/** What every use case needs; built once in main.ts (or by a test) and passed in. */
export interface ServiceContext {
  db: Db;
  dialect: DialectName;
  config: Config;
  /** server clock; the only source of time for records and audit events (P11-AT-04) */
  now: () => Date;
  /** called after a transaction that enqueued a job commits: wakes this process's job runner (else it polls) */
  onJobEnqueued?: () => void;
}

/**
 * Runs a change and its audit events in one transaction (P11-AT-01): both commit or neither does.
 * `audit` collects events; they are appended in order just before commit with a single timestamp.
 */
export async function inTransaction<T>(
  ctx: ServiceContext,
  actor: Actor,
  work: (trx: Trx, audit: (rec: AuditRecord) => void, now: Date) => Promise<T>,
): Promise<T> {
  let tx: Trx | undefined;
  const result = await ctx.db.transaction().execute(async (trx) => {
    tx = trx;
    const now = ctx.now();
    const events: AuditRecord[] = [];
    const result = await work(trx, (rec) => events.push(rec), now);
    for (const e of events) await appendAuditEvent(trx, actor, e, now);
    return result;
  });
  if (tx && enqueuedJobIn(tx)) ctx.onJobEnqueued?.();
  return result;
}

export const SYSTEM_ACTOR: Actor = { userId: null, name: 'Corelab system', role: 'system' };
