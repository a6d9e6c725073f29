// Checks across the instances of one upload, before anything is stored (DEID-04, RSNA/anonymizer#18): one upload is
// one subject's visit, so it may hold only one patient, and a series may not span studies.
import { DomainError } from '../domain/errors.js';
import type { InstanceSummary } from './parse.js';

/** Refuses an upload whose instances carry more than one Patient ID (compared by digest, never by value). */
export function assertSinglePatient(summaries: readonly Pick<InstanceSummary, 'patientIdDigest'>[]): void {
  const ids = new Set(summaries.map((s) => s.patientIdDigest ?? '(none)'));
  if (ids.size > 1) {
    throw new DomainError('UNPROCESSABLE', `the upload mixes ${ids.size} different Patient IDs (0010,0020); one upload holds one subject`, {
      reason: 'MIXED_PATIENTS',
      distinctPatients: ids.size,
    });
  }
}

/** Refuses a series whose instances name more than one Study Instance UID. */
export function assertSeriesInOneStudy(summaries: readonly Pick<InstanceSummary, 'seriesInstanceUid' | 'studyInstanceUid'>[]): void {
  const studiesBySeries = new Map<string, Set<string>>();
  for (const s of summaries) {
    const key = s.seriesInstanceUid ?? '(none)';
    if (!studiesBySeries.has(key)) studiesBySeries.set(key, new Set());
    studiesBySeries.get(key)!.add(s.studyInstanceUid ?? '(none)');
  }
  const mixed = [...studiesBySeries.values()].filter((v) => v.size > 1);
  if (mixed.length > 0) {
    throw new DomainError('UNPROCESSABLE', `${mixed.length} series span more than one study (Study Instance UID (0020,000D) differs within a series)`, {
      reason: 'MIXED_STUDIES',
    });
  }
}
