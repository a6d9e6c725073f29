// Loads a subject's read report (reports/read-report/) from the records: the final assessment per timepoint
// (getFinalAssessment), the lesion table of the read of record, responses and best overall response, and every
// signature on the subject's reads and adjudications with its §11.50 manifestation and its check (§11.70).
import type { ReadReportData, ReportLesionRow, ReportResponse, ReportSignature, ReportThumbnail, ReportVisit } from '../../../reports/read-report/report-data.js';
import type { Actor } from '../../audit/audit-log.js';
import { sha256hex } from '../../audit/audit-log.js';
import type { SignatureRecord, StoredEvaluation } from '../../domain/blinding/projections.js';
import { isDomainError } from '../../domain/errors.js';
import type { Measurement, ReadContent } from '../../domain/reading/read-content.js';
import type { Caller } from '../reading/caller.js';
import { getAdjudication } from '../reading/adjudication.js';
import { getFinalAssessment } from '../reading/final-assessment.js';
import { readVersions, subjectRecord } from '../reading/reading-records.js';
import { requestPools } from '../ingest/request-pools.js';
import { segmentationThumbnail } from '../segmentation/segmentation-thumbnail.js';
import { type ServiceContext, inTransaction } from '../service-context.js';
import { getSubjectRow } from '../trials.js';

const SOURCE_TEXT: Record<string, string> = {
  concordant: 'concordant reads',
  adjudicated: 'adjudicated',
  pending_adjudication: 'adjudication pending',
  not_read: 'not read yet',
};

const CRITERIA_TEXT: Record<string, string> = { 'RECIST1.1': 'RECIST 1.1', iRECIST: 'iRECIST' };
const criteriaText = (c: string) => CRITERIA_TEXT[c] ?? c;

const mm = (v: number) => `${Math.round(v * 10) / 10} mm`;
/** The report reads the whole record on the platform's behalf (its caller was authorised by the route). */
const REPORT_CALLER: Caller = { userId: 'read-report', isAdmin: true, trialRoles: [] };

function measurementMethod(m: Measurement | undefined): string {
  if (!m) return '';
  switch (m.decision) {
    case 'manual':
      return 'manual';
    case 'accepted':
      return 'AI accepted';
    case 'edited':
      return `AI edited (AI ${mm(m.aiProposalMm ?? 0)})`;
    case 'rejected':
      return 'AI rejected';
  }
}

/** The lesion table of one read: baseline targets with their size, follow-up statuses, new lesions. */
export function lesionRows(content: ReadContent, baseline: ReadContent): ReportLesionRow[] {
  const where = new Map<string, { organ: string; location: string }>();
  for (const l of [...baseline.targets, ...baseline.nonTargets]) where.set(l.id, { organ: l.organ ?? '', location: l.location ?? '' });
  const at = (id: string) => where.get(id) ?? { organ: '', location: '' };
  const rows: ReportLesionRow[] = [];
  for (const t of content.targets) {
    let result: string;
    switch (t.status) {
      case undefined:
      case 'measured':
        result = t.measurement ? mm(t.measurement.finalMm) : 'not measured';
        break;
      case 'too_small':
        result = 'too small to measure (5 mm)';
        break;
      case 'disappeared':
        result = 'disappeared (0 mm)';
        break;
      case 'not_evaluated':
        result = 'not evaluable';
        break;
      case 'split':
        result = `split: ${(t.fragmentsMm ?? []).map(mm).join(' + ')}`;
        break;
      case 'coalesced':
        result = `coalesced into ${t.coalescedInto ?? '?'}`;
        break;
    }
    rows.push({ id: t.id, kind: 'target', ...at(t.id), result, method: measurementMethod(t.measurement) });
  }
  for (const n of content.nonTargets) rows.push({ id: n.id, kind: 'non-target', ...at(n.id), result: (n.status ?? 'identified').replace(/_/g, ' '), method: '' });
  for (const n of content.newLesions ?? []) {
    const result = n.status === 'present' && n.measurement ? `present, ${mm(n.measurement.finalMm)}` : n.status.replace(/_/g, ' ');
    rows.push({ id: n.id, kind: 'new', organ: n.organ, location: n.location ?? '', result, method: measurementMethod(n.measurement) });
  }
  return rows;
}

function signatureLine(s: SignatureRecord, record: string): ReportSignature {
  const valid = s.authentic && s.matchesRecord;
  const status = !s.authentic ? 'NOT AUTHENTIC: the signature record was altered' : !s.matchesRecord ? 'DOES NOT MATCH the current record' : 'verified: authentic and bound to this record';
  return { manifestation: s.manifestation, record, status, valid };
}

export async function readReportData(ctx: ServiceContext, generatedBy: string, platformVersion: string, trialId: string, subjectId: string): Promise<ReadReportData> {
  await getSubjectRow(ctx.db, trialId, subjectId);
  const trial = await ctx.db.selectFrom('trials').select(['code', 'title']).where('id', '=', trialId).executeTakeFirstOrThrow();
  const subject = await subjectRecord(ctx.db, subjectId);
  const final = await getFinalAssessment(ctx, trialId, subjectId);
  const reads = await ctx.db.selectFrom('reads').selectAll().where('subject_id', '=', subjectId).execute();
  const readerNames = new Map<string, string>();
  for (const r of reads) {
    if (!readerNames.has(r.reader_id)) readerNames.set(r.reader_id, (await ctx.db.selectFrom('users').select('display_name').where('id', '=', r.reader_id).executeTakeFirstOrThrow()).display_name);
  }
  const versionsByRead = new Map<string, Awaited<ReturnType<typeof readVersions>>>();
  for (const r of reads) versionsByRead.set(r.id, await readVersions(ctx.db, ctx.config.secretKey, r));

  const contentOf = (timepointId: string, readerNo: number, version: number): { content: ReadContent; evaluation: StoredEvaluation | null } | null => {
    const r = reads.find((x) => x.timepoint_id === timepointId && Number(x.reader_no) === readerNo);
    const v = r && versionsByRead.get(r.id)!.find((x) => x.version === version);
    return v ? { content: v.content, evaluation: v.evaluation } : null;
  };
  const firstTimepointId = final.timepoints[0]?.timepoint.id;
  const visits: ReportVisit[] = [];
  const aiMeasured: AiMeasuredLesion[] = [];
  let bor: ReportResponse[] = [];
  for (const t of final.timepoints) {
    const tp = t.timepoint as { id: string; visitLabel: string; visitNum: number; scanDate: string | null; blindedLabel: string };
    const read = t.readerNo && t.readVersion ? contentOf(tp.id, t.readerNo, t.readVersion) : null;
    const baseline = t.readerNo && firstTimepointId ? readOfRecordBaseline(t.readerNo) : null;
    const engine = read?.evaluation?.engine;
    const sum = tp.id === firstTimepointId ? (engine?.baseline.sumMm ?? null) : (engine?.timepoints.find((x) => x.label === tp.blindedLabel)?.recist11?.targetSumMm ?? null);
    const responses: ReportResponse[] = (t.responses ?? []).map((r) => ({
      criteria: criteriaText(r.criteria),
      // The engine gives no RECIST 1.1 response after the first progression (and no iRECIST one after iCPD).
      response: r.effective ?? 'not assessed (after progression)',
      ...(r.override ? { note: `reader override of the engine's ${r.engine ?? 'none'}: ${r.reason ?? ''}` } : {}),
    }));
    if (t.bestOverallResponse) bor = Object.entries(t.bestOverallResponse).map(([criteria, v]) => ({ criteria: criteriaText(criteria), response: v ?? 'not evaluable' }));
    visits.push({
      visitNum: tp.visitNum,
      visit: tp.visitLabel,
      scanDate: tp.scanDate,
      source: SOURCE_TEXT[t.source] ?? t.source,
      readerLabel: t.readerNo ? `reader ${t.readerNo}` : null,
      readVersion: t.readVersion,
      lesions: read && baseline ? lesionRows(read.content, baseline) : [],
      sumMm: sum === null || sum === undefined ? null : Math.round(sum * 10) / 10,
      responses,
    });
    if (read) aiMeasured.push(...aiSegmentationsOf(read.content, tp.visitLabel));
  }

  function readOfRecordBaseline(readerNo: number): ReadContent | null {
    const r = reads.find((x) => x.timepoint_id === firstTimepointId && Number(x.reader_no) === readerNo);
    if (!r) return null;
    const v = versionsByRead.get(r.id)!.find((x) => x.version === Number(r.current_version));
    return v?.content ?? null;
  }

  const signed: Array<{ at: string; line: ReportSignature }> = [];
  const visitOf = new Map(final.timepoints.map((t) => [t.timepoint.id, (t.timepoint as { visitLabel: string }).visitLabel]));
  for (const r of reads) {
    for (const v of versionsByRead.get(r.id)!) {
      if (v.signature) signed.push({ at: v.signature.signedAt, line: signatureLine(v.signature, `Reader ${r.reader_no} read (${readerNames.get(r.reader_id)}), ${visitOf.get(r.timepoint_id) ?? 'visit'}, version ${v.version}${v.state === 'superseded' ? ' (superseded by a correction)' : ''}`) });
    }
  }
  const adjudications = await ctx.db.selectFrom('adjudications').select('id').where('subject_id', '=', subjectId).where('state', '=', 'completed').execute();
  for (const a of adjudications) {
    const view = await getAdjudication(ctx, REPORT_CALLER, trialId, a.id);
    const sig = view.decision?.signature as SignatureRecord | null | undefined;
    if (sig) signed.push({ at: sig.signedAt, line: signatureLine(sig, `Adjudication through ${visitOf.get((view.throughTimepoint as { id: string }).id) ?? 'visit'}: reader ${view.decision!.chosenReaderNo} chosen (${view.decision!.cause})`) });
  }
  // In the order they were given.
  const signatures = signed.sort((a, b) => a.at.localeCompare(b.at)).map((x) => x.line);

  return {
    trial: { code: trial.code, title: trial.title },
    subject: { code: subject.subjectCode, site: subject.siteName ?? '' },
    visits,
    bestOverallResponse: bor,
    signatures,
    thumbnails: await measuredSliceThumbnails(ctx, trialId, aiMeasured),
    generatedAt: ctx.now().toISOString(),
    generatedBy,
    platformVersion,
  };
}

interface AiMeasuredLesion {
  segmentationId: string;
  caption: string;
}

/** The lesions of a read of record whose measurement came from an AI segmentation (aiSource.segmentationId). */
function aiSegmentationsOf(content: ReadContent, visit: string): AiMeasuredLesion[] {
  const out: AiMeasuredLesion[] = [];
  for (const l of [...content.targets, ...(content.newLesions ?? [])]) {
    const m = l.measurement;
    const id = m?.aiSource?.segmentationId;
    if (m && id) out.push({ segmentationId: id, caption: `${l.id} ${visit}: ${mm(m.finalMm)} (AI ${mm(m.aiProposalMm ?? m.finalMm)}, ${m.decision})` });
  }
  return out;
}

/**
 * The measured slice of each AI-measured lesion, with the AI's outline and axes, as the thumbnail route draws it.
 * A segmentation whose slice is gone (quarantined since) is left out rather than failing the report.
 */
async function measuredSliceThumbnails(ctx: ServiceContext, trialId: string, lesions: AiMeasuredLesion[]): Promise<ReportThumbnail[]> {
  const out: ReportThumbnail[] = [];
  for (const l of lesions) {
    try {
      const { bytes } = await segmentationThumbnail(ctx, REPORT_CALLER, trialId, l.segmentationId, { size: 240 });
      out.push({ caption: l.caption, png: Buffer.from(bytes) });
    } catch (e) {
      if (!isDomainError(e)) throw e;
    }
  }
  return out;
}

/** Renders the report and records who obtained which bytes (a copy of signed records, P11-CPY-01). */
export async function readReportPdf(ctx: ServiceContext, actor: Actor, platformVersion: string, trialId: string, subjectId: string): Promise<{ pdf: Buffer; sha256: string }> {
  const data = await readReportData(ctx, actor.name, platformVersion, trialId, subjectId);
  const pdf = Buffer.from(await requestPools(ctx).run<Uint8Array>('export', data, { name: 'readReport' }));
  const sha256 = sha256hex(pdf);
  await inTransaction(ctx, actor, async (_trx, audit) => {
    audit({ action: 'report.read-report', entityType: 'subject', entityId: subjectId, trialId, after: { sha256, sizeBytes: pdf.length, signatures: data.signatures.length } });
  });
  return { pdf, sha256 };
}
