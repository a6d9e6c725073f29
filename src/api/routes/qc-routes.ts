import { type ReleaseHook, decideQc, loadQueries, postQueryMessage, qcQueue, raiseQuery, resolveQuery, visitTracking } from '../../services/ingest/qc-review.js';
import { sponsorSiteOf } from '../../services/trials.js';
import type { RequestScope } from '../app-env.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';

export function qcRoutes(reg: RouteRegistry, onReleased?: ReleaseHook): void {
  const { ctx } = reg;
  const bound = (s: RequestScope) => sponsorSiteOf(ctx.db, s.actor.role, s.params.trialId, s.session!.user.id);
  defineRoute(reg, 'get', '/trials/{trialId}/subjects/{subjectId}/visits', async (s, c) =>
    c.json(await visitTracking(ctx, s.params.trialId, s.params.subjectId, await bound(s))),
  );
  defineRoute(reg, 'get', '/trials/{trialId}/qc/queue', async (s, c) => c.json(await qcQueue(ctx, s.params.trialId)));
  defineRoute(reg, 'post', '/trials/{trialId}/timepoints/{timepointId}/qc/decision', async (s, c) =>
    c.json(await decideQc(ctx, s.actor, s.params.trialId, s.params.timepointId, s.body, onReleased)),
  );
  defineRoute(reg, 'get', '/trials/{trialId}/queries', async (s, c) =>
    c.json(await loadQueries(ctx.db, s.params.trialId, { state: s.query.state as string | undefined, siteId: await bound(s) })),
  );
  defineRoute(reg, 'post', '/trials/{trialId}/queries', async (s, c) => c.json(await raiseQuery(ctx, s.actor, s.params.trialId, s.body), 201));
  defineRoute(reg, 'post', '/trials/{trialId}/queries/{queryId}/messages', async (s, c) =>
    c.json(await postQueryMessage(ctx, s.actor, s.params.trialId, s.params.queryId, s.body.body, await bound(s)), 201),
  );
  defineRoute(reg, 'post', '/trials/{trialId}/queries/{queryId}/resolve', async (s, c) =>
    c.json(await resolveQuery(ctx, s.actor, s.params.trialId, s.params.queryId, s.body.reason)),
  );
}
