import { api, must, type Schemas } from '../api/client.js';

// The trial's audit events of one entity type, for the reading index (trial-reading-index.ts).

type AuditEvent = Schemas['AuditEvent'];

/** Every audit event of one entity type on the trial, page by page (500 a page, the API's maximum). */
export async function auditEventsOf(trialId: string, entityType: 'read' | 'subject'): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let afterSeq: number | undefined;
  for (;;) {
    const page = await must(api.GET('/trials/{trialId}/audit', { params: { path: { trialId }, query: { entityType, limit: 500, ...(afterSeq !== undefined ? { afterSeq } : {}) } } }));
    events.push(...page.events);
    if (page.nextAfterSeq === null || page.nextAfterSeq === undefined || page.events.length === 0) return events;
    afterSeq = page.nextAfterSeq;
  }
}
