// The audit event as hashed. The hash covers every stored column except the hash itself, chained to the
// previous event's hash: hash = SHA-256(prevHash || canonicalJson(event)). Any edit, deletion, reordering or
// insertion breaks the chain at the first affected event (part11 doc §3, design A + B).
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEventContent {
  seq: number;
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorName: string;
  actorRole: string;
  action: string;
  entityType: string;
  entityId: string;
  trialId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  clientIp: string | null;
  sessionId: string | null;
}

/** Input of the hash; `sha256hex` is injected so this module stays free of I/O and node built-ins. */
export function auditHashInput(prevHash: string, event: AuditEventContent, canonical: (v: unknown) => string): string {
  return prevHash + canonical(event);
}
