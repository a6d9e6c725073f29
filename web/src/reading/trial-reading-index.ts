import type { components } from '../api/schema.js';

// Core-lab staff need to know which reads exist and who reads which subject. The API has no list of a trial's
// reads or reader assignments, but the audit trail records both when they happen: `read.create` (read id,
// timepoint, reader number and reader) and `reading.readers_assign` (a subject's readers). Both are read from
// GET /trials/{id}/audit (load-audit.ts), which is open to the same roles (qc, admin) as the screens that use this.

type AuditEvent = components['schemas']['AuditEvent'];

export interface ReadRef {
  readId: string;
  timepointId: string;
  readerNo: number;
  readerId: string;
}

export interface ReaderAssignment {
  readerNo: number;
  userId: string;
}

export function readsFromAudit(events: readonly AuditEvent[]): ReadRef[] {
  return events
    .filter((e) => e.action === 'read.create' && e.after && typeof e.after === 'object')
    .map((e) => {
      const a = e.after as { timepointId?: string; readerNo?: number | string; readerId?: string };
      return { readId: e.entityId, timepointId: a.timepointId ?? '', readerNo: Number(a.readerNo), readerId: a.readerId ?? '' };
    })
    .filter((r) => r.timepointId !== '' && Number.isInteger(r.readerNo));
}

/** Each subject's readers: the latest `reading.readers_assign` event of the subject (events in trail order). */
export function assignmentsFromAudit(events: readonly AuditEvent[]): Map<string, ReaderAssignment[]> {
  const out = new Map<string, ReaderAssignment[]>();
  for (const e of events) {
    if (e.action !== 'reading.readers_assign' || !Array.isArray(e.after)) continue;
    out.set(e.entityId, (e.after as Array<{ readerNo: number | string; userId: string }>).map((a) => ({ readerNo: Number(a.readerNo), userId: a.userId })));
  }
  return out;
}
