import { listAuditEvents, recordAuditReview, verifyChain } from '../../services/audit-review.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';

export function auditRoutes(reg: RouteRegistry): void {
  const { ctx } = reg;
  defineRoute(reg, 'get', '/trials/{trialId}/audit', async (s, c) => {
    const q = s.query as Record<string, any>;
    return c.json(
      await listAuditEvents(ctx, {
        trialId: s.params.trialId,
        entityType: q.entityType,
        entityId: q.entityId,
        actorId: q.actorId,
        from: q.from,
        to: q.to,
        afterSeq: q.afterSeq,
        limit: q.limit ?? 100,
      }),
    );
  });
  defineRoute(reg, 'post', '/trials/{trialId}/audit/reviews', async (s, c) => {
    await recordAuditReview(ctx, s.actor, s.params.trialId, s.body.throughSeq, s.body.comment ?? null);
    return c.body(null, 204);
  });
  defineRoute(reg, 'get', '/audit/verify', async (_s, c) => c.json(await verifyChain(ctx)));
}
