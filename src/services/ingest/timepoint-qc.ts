import { randomUUID } from 'node:crypto';
import type { AuditRecord } from '../../audit/audit-log.js';
import type { Trx } from '../../db/connect.js';
import { DomainError } from '../../domain/errors.js';
import { type ImagingCharter, type ReceivedSeries, evaluateImageQc } from '../../domain/qc/image-qc.js';
import type { SeriesGeometry } from '../../../workers/ingest.js';
import type { ServiceContext } from '../service-context.js';
import type { ReleaseHook } from './qc-review.js';

/**
 * Stores each touched series' assembled geometry, evaluates image QC for the timepoint against the charter, stores the
 * result, and either releases the timepoint for reading or fails it with a query to the sponsor.
 */
export async function evaluateTimepointQc(
  trx: Trx,
  ctx: ServiceContext,
  timepointId: string,
  /** series assembled by the ingest worker: geometry, slice order and problems, or why it could not be assembled */
  assembled: ReadonlyMap<string, SeriesGeometry | { error: string }>,
  audit: (r: AuditRecord) => void,
  now: Date,
  onReleased?: ReleaseHook,
) {
  const tp = await trx.selectFrom('timepoints').selectAll().where('id', '=', timepointId).executeTakeFirstOrThrow();
  for (const [seriesId, g] of assembled) {
    const volume = 'error' in g ? null : { geometry: g.geometry, order: g.order, coverageMm: g.coverageMm };
    const findings = 'error' in g ? [{ code: 'NOT_ASSEMBLED', detail: g.error, severity: 'error' }] : g.findings;
    await trx.updateTable('series').set({ volume_json: volume && JSON.stringify(volume), findings_json: JSON.stringify(findings), updated_at: now.toISOString() }).where('id', '=', seriesId).execute();
  }
  const trial = await trx.selectFrom('trials').select(['protocol_json']).where('id', '=', tp.trial_id).executeTakeFirstOrThrow();
  const charter = JSON.parse(trial.protocol_json);
  const imaging: ImagingCharter = { requirements: charter.imaging?.requirements ?? [], visits: charter.visits ?? [] };
  const series = await trx.selectFrom('series').selectAll().where('timepoint_id', '=', timepointId).execute();
  const received: ReceivedSeries[] = [];
  for (const s of series) {
    const counts = await trx.selectFrom('instances').select(['quarantine_reason']).where('series_id', '=', s.id).execute();
    const acq = s.acquisition_json ? JSON.parse(s.acquisition_json) : {};
    const vol = s.volume_json ? JSON.parse(s.volume_json) : null;
    received.push({
      seriesId: s.id,
      modality: s.modality,
      sliceThicknessMm: acq.sliceThicknessMm ?? null,
      kvp: acq.kvp ?? null,
      kernel: acq.kernel ?? null,
      contrast: acq.contrast ?? null,
      coverageMm: vol?.coverageMm ?? null,
      volumeProblems: s.findings_json ? JSON.parse(s.findings_json) : [],
      quarantined: counts.filter((c) => c.quarantine_reason !== null).length,
      instances: counts.length,
    });
  }
  const study = await trx
    .selectFrom('studies')
    .innerJoin('series', 'series.study_id', 'studies.id')
    .select('studies.study_date')
    .where('series.timepoint_id', '=', timepointId)
    .executeTakeFirst();
  const baseline = await trx
    .selectFrom('timepoints')
    .innerJoin('series', 'series.timepoint_id', 'timepoints.id')
    .innerJoin('studies', 'studies.id', 'series.study_id')
    .select('studies.study_date')
    .where('timepoints.subject_id', '=', tp.subject_id)
    .orderBy('timepoints.visit_num')
    .executeTakeFirst();
  const isoDate = (d: string | null | undefined) => (d && /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : null);
  const result = evaluateImageQc({ charter: imaging, visitCode: tp.visit_code, studyDate: isoDate(study?.study_date), baselineStudyDate: isoDate(baseline?.study_date), series: received });
  const at = now.toISOString();
  const qcId = randomUUID();
  await trx.insertInto('qc_results').values({ id: qcId, trial_id: tp.trial_id, timepoint_id: tp.id, outcome: result.outcome, findings_json: JSON.stringify(result.findings), evaluated_at: at, override_by: null, override_reason: null, override_at: null }).execute();
  let state: 'qc_failed' | 'released' | 'received' = result.outcome === 'fail' ? 'qc_failed' : 'released';
  let releaseBlockedBy: string | null = null;
  if (state === 'released' && onReleased) {
    try {
      await onReleased(trx, ctx, tp.id, now);
    } catch (e) {
      // QC passed but reading cannot start (e.g. the trial has too few readers): the visit waits, received,
      // and a qc user releases it once it can be read. The hook refuses before writing anything.
      if (!(e instanceof DomainError) || e.code !== 'CONFLICT') throw e;
      state = 'received';
      releaseBlockedBy = e.detail;
    }
  }
  await trx.updateTable('timepoints').set({ state, acquired_on: isoDate(study?.study_date), updated_at: at }).where('id', '=', tp.id).execute();
  audit({ action: 'qc.evaluate', entityType: 'timepoint', entityId: tp.id, trialId: tp.trial_id, before: { state: tp.state }, after: { state, outcome: result.outcome, findings: result.findings, releaseBlockedBy } });
  if (state === 'qc_failed') {
    const queryId = randomUUID();
    const title = `Image QC failed for ${tp.label}`;
    await trx.insertInto('queries').values({ id: queryId, trial_id: tp.trial_id, timepoint_id: tp.id, state: 'open', title, created_by: null, created_at: at, updated_at: at }).execute();
    await trx.insertInto('query_messages').values({ id: randomUUID(), query_id: queryId, author_id: null, author_role: 'system', body: result.findings.filter((f) => f.severity === 'error').map((f) => f.detail).join('\n'), created_at: at }).execute();
    audit({ action: 'query.open', entityType: 'query', entityId: queryId, trialId: tp.trial_id, after: { timepointId: tp.id, title } });
  }
  return result;
}
