import { type Actor, rowToAuditEvent, verifyAuditChain, type ChainVerification } from '../audit/audit-log.js';
import { type ServiceContext, inTransaction } from './service-context.js';

export interface AuditQuery {
  trialId: string;
  entityType?: string;
  entityId?: string;
  actorId?: string;
  from?: string;
  to?: string;
  /** events after this seq (keyset paging: stable while new events are appended) */
  afterSeq?: number;
  limit: number;
}

export async function listAuditEvents(ctx: ServiceContext, q: AuditQuery) {
  let query = ctx.db.selectFrom('audit_events').selectAll().where('trial_id', '=', q.trialId);
  if (q.entityType) query = query.where('entity_type', '=', q.entityType);
  if (q.entityId) query = query.where('entity_id', '=', q.entityId);
  if (q.actorId) query = query.where('actor_id', '=', q.actorId);
  if (q.from) query = query.where('occurred_at', '>=', q.from);
  if (q.to) query = query.where('occurred_at', '<', q.to);
  if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq);
  const rows = await query.orderBy('seq').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit).map(rowToAuditEvent);
  return { events: page, nextAfterSeq: rows.length > q.limit ? page[page.length - 1].seq : null };
}

/** P11-AT-05: each audit review is itself recorded. */
export async function recordAuditReview(ctx: ServiceContext, actor: Actor, trialId: string, throughSeq: number, comment: string | null) {
  await inTransaction(ctx, actor, async (_trx, audit) =>
    audit({ action: 'audit.review', entityType: 'audit_trail', entityId: trialId, trialId, after: { throughSeq, comment } }),
  );
}

export function verifyChain(ctx: ServiceContext): Promise<ChainVerification> {
  return verifyAuditChain(ctx.db);
}
