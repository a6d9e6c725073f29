// Blinded independent central review: worklists, reads, adjudication, final assessment, reader statistics.
// Handlers unpack the request and call one use case; access beyond x-access (own reads, assigned adjudications)
// and the blinded projections live in src/services/reading and src/domain/blinding.
import { assignAdjudicator, decideAdjudication, getAdjudication } from '../../services/reading/adjudication.js';
import type { Caller } from '../../services/reading/caller.js';
import { getFinalAssessment } from '../../services/reading/final-assessment.js';
import { assignReaders } from '../../services/reading/reader-assignment.js';
import { readerStats } from '../../services/reading/reader-stats.js';
import { correctRead, getRead, saveDraft, signRead } from '../../services/reading/reads.js';
import { listMyTasks } from '../../services/reading/tasks.js';
import type { RequestScope } from '../app-env.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';

const callerOf = (s: RequestScope): Caller => ({ userId: s.session!.user.id, isAdmin: s.session!.user.isAdmin, trialRoles: s.trialRoles });

export function readingRoutes(reg: RouteRegistry): void {
  const { ctx } = reg;
  defineRoute(reg, 'get', '/me/tasks', async (s, c) => c.json(await listMyTasks(ctx, s.session!.user.id, (s.query.state as 'pending' | 'all') ?? 'pending')));
  defineRoute(reg, 'put', '/trials/{trialId}/subjects/{subjectId}/readers', async (s, c) =>
    c.json(await assignReaders(ctx, s.actor, s.params.trialId, s.params.subjectId, s.body.readerIds)),
  );
  defineRoute(reg, 'get', '/trials/{trialId}/subjects/{subjectId}/final-assessment', async (s, c) =>
    c.json(await getFinalAssessment(ctx, s.params.trialId, s.params.subjectId)),
  );
  defineRoute(reg, 'get', '/trials/{trialId}/reads/{readId}', async (s, c) => c.json(await getRead(ctx, callerOf(s), s.params.trialId, s.params.readId)));
  defineRoute(reg, 'put', '/trials/{trialId}/reads/{readId}/draft', async (s, c) =>
    c.json(await saveDraft(ctx, s.actor, callerOf(s), s.params.trialId, s.params.readId, s.body)),
  );
  defineRoute(reg, 'post', '/trials/{trialId}/reads/{readId}/sign', async (s, c) =>
    c.json(await signRead(ctx, s.actor, callerOf(s), s.params.trialId, s.params.readId, s.body.password)),
  );
  defineRoute(reg, 'post', '/trials/{trialId}/reads/{readId}/corrections', async (s, c) =>
    c.json(await correctRead(ctx, s.actor, callerOf(s), s.params.trialId, s.params.readId, s.body)),
  );
  defineRoute(reg, 'get', '/trials/{trialId}/adjudications/{adjudicationId}', async (s, c) =>
    c.json(await getAdjudication(ctx, callerOf(s), s.params.trialId, s.params.adjudicationId)),
  );
  defineRoute(reg, 'post', '/trials/{trialId}/adjudications/{adjudicationId}/decision', async (s, c) =>
    c.json(await decideAdjudication(ctx, s.actor, callerOf(s), s.params.trialId, s.params.adjudicationId, s.body)),
  );
  defineRoute(reg, 'put', '/trials/{trialId}/adjudications/{adjudicationId}/assignee', async (s, c) =>
    c.json(await assignAdjudicator(ctx, s.actor, callerOf(s), s.params.trialId, s.params.adjudicationId, s.body.userId)),
  );
  defineRoute(reg, 'get', '/trials/{trialId}/reader-stats', async (s, c) => c.json(await readerStats(ctx, s.params.trialId)));
}
