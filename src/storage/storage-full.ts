import { DomainError, isDomainError } from '../domain/errors.js';

// A full disk is an expected failure (part11 doc §6.6: 507 with a clean rollback), not a bug: whichever layer
// meets it (a staged upload, a de-identified copy, the SQLite WAL, PostgreSQL), it becomes one INSUFFICIENT_STORAGE
// error with a detail that says which store is full. The API maps it to 507 (src/api/problem.ts); the job runner
// waits for space instead of spending the job's attempts (src/jobs/job-runner.ts).

/** errno codes of a write refused for lack of space (EDQUOT: a quota, which reads the same to the user). */
const FILE_FULL = new Set(['ENOSPC', 'EDQUOT']);
/** PostgreSQL SQLSTATE disk_full */
const PG_DISK_FULL = '53100';

export const DATABASE_FULL_DETAIL = 'the database is out of disk space; the change was rolled back and nothing was saved';

/** The INSUFFICIENT_STORAGE error for a failure caused by a full disk, or null for any other failure. */
export function storageFullError(e: unknown, fileDetail = "the server's file storage is full; nothing was saved"): DomainError | null {
  if (isDomainError(e)) return e.code === 'INSUFFICIENT_STORAGE' ? e : null;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && FILE_FULL.has(code)) return new DomainError('INSUFFICIENT_STORAGE', fileDetail);
  if (code === 'SQLITE_FULL' || code === PG_DISK_FULL || /\bSQLITE_FULL\b/.test(String((e as Error | null)?.message))) {
    return new DomainError('INSUFFICIENT_STORAGE', DATABASE_FULL_DETAIL);
  }
  return null;
}

/** True when `e` (or the message a worker thread sent back for it) says a write found no space. */
export function isStorageFull(e: unknown): boolean {
  return storageFullError(e) !== null;
}
