import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DbOrTrx, Trx } from '../db/connect.js';
import type { AuditEventsTable } from '../db/schema.js';
import { type AuditEventContent, GENESIS_HASH, auditHashInput } from '../domain/audit/audit-event.js';
import { canonicalJson } from '../domain/audit/canonical-json.js';

/** Who does something, from where: carried from the request (or the CLI) into every audit event. */
export interface Actor {
  userId: string | null;
  name: string;
  /** the role the action was taken in: admin, sponsor, qc, reader, adjudicator, biostatistician, system */
  role: string;
  requestId?: string | null;
  clientIp?: string | null;
  sessionId?: string | null;
}

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string;
  trialId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

export const sha256hex = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

export function hashAuditEvent(prevHash: string, e: AuditEventContent): string {
  return sha256hex(auditHashInput(prevHash, e, canonicalJson));
}

/**
 * Appends one event in the caller's transaction (P11-AT-01: the change and its event commit together or not at
 * all). The chain head row is locked, so appends are serialised and seq is gap-free on both dialects.
 */
export async function appendAuditEvent(trx: Trx, actor: Actor, rec: AuditRecord, occurredAt: Date): Promise<void> {
  const head = await sql<{ seq: number; hash: string }>`SELECT seq, hash FROM audit_chain_head WHERE id = 1 ${
    isPostgresTrx(trx) ? sql`FOR UPDATE` : sql``
  }`.execute(trx);
  const prev = head.rows[0] ?? { seq: 0, hash: GENESIS_HASH };
  const content: AuditEventContent = {
    seq: Number(prev.seq) + 1,
    id: randomUUID(),
    occurredAt: occurredAt.toISOString(),
    actorId: actor.userId,
    actorName: actor.name,
    actorRole: actor.role,
    action: rec.action,
    entityType: rec.entityType,
    entityId: rec.entityId,
    trialId: rec.trialId ?? null,
    before: rec.before ?? null,
    after: rec.after ?? null,
    reason: rec.reason ?? null,
    requestId: actor.requestId ?? null,
    clientIp: actor.clientIp ?? null,
    sessionId: actor.sessionId ?? null,
  };
  const hash = hashAuditEvent(prev.hash, content);
  await trx.insertInto('audit_events').values(toRow(content, prev.hash, hash)).execute();
  await trx.updateTable('audit_chain_head').set({ seq: content.seq, hash }).where('id', '=', 1).execute();
}

function toRow(e: AuditEventContent, prevHash: string, hash: string): AuditEventsTable {
  return {
    seq: e.seq,
    id: e.id,
    occurred_at: e.occurredAt,
    actor_id: e.actorId,
    actor_name: e.actorName,
    actor_role: e.actorRole,
    action: e.action,
    entity_type: e.entityType,
    entity_id: e.entityId,
    trial_id: e.trialId,
    before_json: e.before === null ? null : canonicalJson(e.before),
    after_json: e.after === null ? null : canonicalJson(e.after),
    reason: e.reason,
    request_id: e.requestId,
    client_ip: e.clientIp,
    session_id: e.sessionId,
    prev_hash: prevHash,
    hash,
  };
}

export function rowToAuditEvent(r: AuditEventsTable): AuditEventContent & { prevHash: string; hash: string } {
  return {
    seq: Number(r.seq),
    id: r.id,
    occurredAt: r.occurred_at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    actorRole: r.actor_role,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    trialId: r.trial_id,
    before: r.before_json === null ? null : JSON.parse(r.before_json),
    after: r.after_json === null ? null : JSON.parse(r.after_json),
    reason: r.reason,
    requestId: r.request_id,
    clientIp: r.client_ip,
    sessionId: r.session_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function isPostgresTrx(db: DbOrTrx): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

export interface ChainVerification {
  ok: boolean;
  eventsChecked: number;
  headSeq: number;
  /** the first event whose stored hash, link or sequence does not match; absent when ok */
  firstBroken?: { seq: number; eventId: string | null; reason: string };
}

/**
 * Recomputes the whole chain in seq order (P11-VAL-02, AT-T1): edits, deletions (gaps), reordering, inserted
 * rows and a truncated tail (head ahead of the last event) are all reported at the first event affected.
 */
export async function verifyAuditChain(db: DbOrTrx, pageSize = 5000): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const r of rows) {
      const e = rowToAuditEvent(r);
      const broken = (reason: string): ChainVerification => ({
        ok: false,
        eventsChecked: checked,
        headSeq: e.seq,
        firstBroken: { seq: e.seq, eventId: e.id, reason },
      });
      if (e.seq !== expectedSeq) return broken(`sequence gap: expected event ${expectedSeq}, found ${e.seq}`);
      if (e.prevHash !== prevHash) return broken('link to the previous event does not match its hash');
      const { prevHash: _p, hash, ...content } = e;
      if (hashAuditEvent(prevHash, content) !== hash) return broken('content does not match the stored hash');
      prevHash = hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (rows.length < pageSize) break;
  }
  const head = await db.selectFrom('audit_chain_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  const headSeq = Number(head?.seq ?? 0);
  if (!head || headSeq !== checked || head.hash !== prevHash) {
    return {
      ok: false,
      eventsChecked: checked,
      headSeq,
      firstBroken: {
        seq: checked + 1,
        eventId: null,
        reason: `chain head is at event ${headSeq} but the trail ends at ${checked}: events removed from the tail`,
      },
    };
  }
  return { ok: true, eventsChecked: checked, headSeq };
}
