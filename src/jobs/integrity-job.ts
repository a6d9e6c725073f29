import type { IntegrityResult } from '../../workers/integrity.js';
import { DomainError } from '../domain/errors.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { JobHandler } from './job-runner.js';

export const INTEGRITY_JOB = 'integrity.verify-blob';

/** Re-hashes a stored blob in the pool and records the outcome in the audit trail (P11-VAL-02). */
export function integrityJobHandler(blobs: BlobStore): JobHandler {
  return async (job, tools) => {
    const sha256 = String(job.payload.sha256);
    if (!(await blobs.has(sha256))) throw new DomainError('NOT_FOUND', `blob ${sha256} is missing from the store`);
    const result = await tools.pools.run<IntegrityResult>('integrity', { path: blobs.pathOf(sha256), expectedSha256: sha256 }, { signal: tools.signal });
    await tools.commit(async (_trx, audit) => {
      audit({ action: 'integrity.verify', entityType: 'blob', entityId: sha256, trialId: job.trialId, after: { jobId: job.id, ...result } });
      return result;
    });
  };
}
