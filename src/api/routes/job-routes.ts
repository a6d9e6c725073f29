import { DomainError } from '../../domain/errors.js';
import { type Job, getJob, jobView, requestCancel } from '../../jobs/job-queue.js';
import { rolesOnTrial } from '../../services/trials.js';
import type { RequestScope } from '../app-env.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';

export function jobRoutes(reg: RouteRegistry): void {
  const { ctx } = reg;
  /**
   * A job is visible to its creator, to its trial's qc and to admins; to anyone else it does not exist. Results
   * can carry upload metadata or another reader's segmentation, so blinded roles see only the jobs they started.
   */
  async function visibleJob(s: RequestScope): Promise<Job> {
    const job = await getJob(ctx, s.params.jobId);
    const user = s.session!.user;
    if (user.isAdmin || job.createdBy === user.id) return job;
    if (job.trialId && (await rolesOnTrial(ctx.db, user.id, job.trialId)).includes('qc')) return job;
    throw new DomainError('NOT_FOUND', `job ${s.params.jobId} not found`);
  }
  defineRoute(reg, 'get', '/jobs/{jobId}', async (s, c) => c.json(jobView(await visibleJob(s))));
  defineRoute(reg, 'delete', '/jobs/{jobId}', async (s, c) => {
    const job = await visibleJob(s);
    if (!s.session!.user.isAdmin && job.createdBy !== s.session!.user.id) {
      throw new DomainError('FORBIDDEN', 'only the job creator or an administrator may cancel it');
    }
    return c.json(jobView(await requestCancel(ctx, job.id)), 202);
  });
}
