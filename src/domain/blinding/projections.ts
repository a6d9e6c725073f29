// The blinding view layer: every reading resource a person sees goes through one projection per resource type
// and viewer. Projections copy what a viewer may see, field by field: anything not named here (site, arm, visit
// labels, dates, upload metadata, the other reader, fields added to records later) is never shown to a blinded
// viewer. Core-lab staff get the full record.
import type { ActiveAdjudication } from '../reading/final-assessment.js';
import type { EngineOutput } from '../reading/engine-contract.js';
import type { TimepointEvaluation } from '../reading/engine-input.js';
import type { ReadContent } from '../reading/read-content.js';
import type { TriggerFinding } from '../reading/adjudication-triggers.js';
import { type Viewer, isBlinded, reveals } from './viewer.js';

// ---- records, as the services load them (full, unblinded) -------------------------------------------------

export interface SubjectRecord { id: string; trialId: string; subjectCode: string; siteId: string; siteName?: string }
export interface TimepointRecord { id: string; blindedLabel: string; visitCode: string; visitLabel: string; visitNum: number; scanDate: string | null; state: string }
export interface SignatureRecord { id: string; signerId: string; signerName: string; meaning: string; signedAt: string; recordVersion: number; contentSha256: string; authentic: boolean; matchesRecord: boolean; manifestation: string }
export interface ReadVersionRecord { version: number; state: string; content: ReadContent; evaluation: StoredEvaluation | null; reason: string | null; signature: SignatureRecord | null; createdAt: string; updatedAt: string; signedAt: string | null }
export interface StoredEvaluation { engine: EngineOutput; timepoint: TimepointEvaluation }
export interface ReadRecord {
  id: string;
  trialId: string;
  subject: SubjectRecord;
  timepoint: TimepointRecord;
  readerNo: number;
  readerId: string;
  readerName: string;
  state: string;
  dueOn: string;
  currentVersion: number;
  createdAt: string;
  updatedAt: string;
  signedAt: string | null;
  versions: ReadVersionRecord[];
  /** the draft's live evaluation, or why it cannot be evaluated yet */
  live?: { evaluation: StoredEvaluation | null; problems: Array<{ pointer: string; detail: string }> };
  /** the reader's own signed reads of earlier timepoints of this subject */
  previous?: Array<{ readId: string; timepoint: TimepointRecord; version: number; content: ReadContent }>;
}
export interface AdjudicationRecord {
  id: string;
  trialId: string;
  subject: SubjectRecord;
  throughTimepoint: TimepointRecord;
  scope: string;
  state: string;
  triggers: TriggerFinding[];
  assigneeId: string | null;
  assigneeName: string | null;
  dueOn: string;
  createdAt: string;
  completedAt: string | null;
  decision: { chosenReaderNo: number; rationale: string; cause: string; signature: SignatureRecord | null } | null;
  supersededReason: string | null;
  /** the signed reads compared, per reader, in timepoint order */
  reads: Record<'reader1' | 'reader2', Array<{ readId: string; readerId: string; readerName: string; timepoint: TimepointRecord; version: number; content: ReadContent; evaluation: StoredEvaluation | null; signature: SignatureRecord | null }>>;
}
export interface TaskRecord {
  kind: 'read' | 'adjudication';
  id: string;
  trialId: string;
  trialCode: string;
  subject: SubjectRecord;
  timepoint: TimepointRecord;
  state: string;
  dueOn: string;
}
export interface FinalRecord {
  subject: SubjectRecord;
  timepoints: Array<{ timepoint: TimepointRecord; source: string; readerNo: number | null; adjudicationId: string | null; responses: TimepointEvaluation['responses'] | null; bestOverallResponse: TimepointEvaluation['bestOverallResponse'] | null; readVersion: number | null }>;
  adjudications: ActiveAdjudication[];
}

// ---- references -----------------------------------------------------------------------------------------

export function subjectRef(v: Viewer, s: SubjectRecord) {
  if (!isBlinded(v)) return { ...s };
  return { id: s.id, ...(reveals(v, 'subjectCode') ? { subjectCode: s.subjectCode } : {}) };
}

export function timepointRef(v: Viewer, t: TimepointRecord) {
  if (!isBlinded(v)) return { ...t };
  return {
    id: t.id,
    label: t.blindedLabel,
    ...(reveals(v, 'visitLabel') ? { visitCode: t.visitCode, visitLabel: t.visitLabel } : {}),
    ...(reveals(v, 'scanDate') ? { scanDate: t.scanDate } : {}),
  };
}

/**
 * A blinded viewer sees the signature's checks and its §11.50 manifestation; on someone else's record (an
 * adjudicator looking at a read) the printed name gives way to the signer's role in the read ("Reader 1"):
 * the adjudicator must not know who read (BL-05). Core-lab staff see the full manifestation.
 */
function signatureView(v: Viewer, s: SignatureRecord | null, signerRole?: string) {
  if (!s || !isBlinded(v)) return s;
  const manifestation = signerRole ? `${signerRole}, ${s.signedAt} (UTC), ${s.meaning}` : s.manifestation;
  return { meaning: s.meaning, signedAt: s.signedAt, recordVersion: s.recordVersion, contentSha256: s.contentSha256, authentic: s.authentic, matchesRecord: s.matchesRecord, manifestation };
}

// ---- engine output: whitelisted fields only (the engine may add fields such as dates) ----------------------

const pickPrimitives = (o: Record<string, unknown> | null | undefined, keys: readonly string[]) =>
  o ? Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) : o;

function evaluationView(v: Viewer, e: StoredEvaluation | null) {
  if (!e || !isBlinded(v)) return e;
  return {
    baseline: {
      valid: e.engine.baseline.valid,
      sumMm: e.engine.baseline.sumMm,
      violations: e.engine.baseline.violations.map((x) => pickPrimitives(x, ['code', 'organ', 'lesionId', 'targetId'])),
    },
    timepoints: e.engine.timepoints.map((t) => ({
      label: t.label,
      recist11: pickPrimitives(t.recist11, ['target', 'nonTarget', 'newLesions', 'overall', 'targetSumMm', 'nadirMm', 'explanation']) ?? null,
      irecist: pickPrimitives(t.irecist ?? null, ['overall', 'explanation']) ?? null,
    })),
    bestOverallResponse: pickPrimitives(e.engine.bestOverallResponse, ['recist11', 'irecist']),
    responses: e.timepoint.responses,
    timepoint: e.timepoint.label,
  };
}

function versionView(v: Viewer, x: ReadVersionRecord) {
  return {
    version: x.version,
    state: x.state,
    content: x.content,
    evaluation: evaluationView(v, x.evaluation),
    reason: x.reason,
    signature: signatureView(v, x.signature),
    signedAt: x.signedAt,
    ...(isBlinded(v) ? {} : { createdAt: x.createdAt, updatedAt: x.updatedAt }),
  };
}

// ---- resources ------------------------------------------------------------------------------------------

/** A read, as its own reader or core-lab staff see it (adjudicators see reads through the adjudication view). */
export function readView(v: Viewer, r: ReadRecord) {
  if (!isBlinded(v)) return { ...r, subject: subjectRef(v, r.subject), timepoint: timepointRef(v, r.timepoint), versions: r.versions.map((x) => versionView(v, x)), live: r.live && { ...r.live, evaluation: evaluationView(v, r.live.evaluation) } };
  return {
    id: r.id,
    trialId: r.trialId,
    subject: subjectRef(v, r.subject),
    timepoint: timepointRef(v, r.timepoint),
    state: r.state,
    dueOn: r.dueOn,
    currentVersion: r.currentVersion,
    versions: r.versions.map((x) => versionView(v, x)),
    live: r.live ? { evaluation: evaluationView(v, r.live.evaluation), problems: r.live.problems } : null,
    previous: (r.previous ?? []).map((p) => ({ readId: p.readId, timepoint: timepointRef(v, p.timepoint), version: p.version, content: p.content })),
  };
}

export function adjudicationView(v: Viewer, a: AdjudicationRecord) {
  const side = (list: AdjudicationRecord['reads']['reader1'], role: string) =>
    list.map((x) => ({
      readId: x.readId,
      timepoint: timepointRef(v, x.timepoint),
      version: x.version,
      content: x.content,
      evaluation: evaluationView(v, x.evaluation),
      signature: signatureView(v, x.signature, role),
      ...(isBlinded(v) ? {} : { readerId: x.readerId, readerName: x.readerName }),
    }));
  return {
    id: a.id,
    trialId: a.trialId,
    subject: subjectRef(v, a.subject),
    throughTimepoint: timepointRef(v, a.throughTimepoint),
    scope: a.scope,
    state: a.state,
    triggers: a.triggers,
    dueOn: a.dueOn,
    completedAt: a.completedAt,
    decision: a.decision && { ...a.decision, signature: signatureView(v, a.decision.signature) },
    reads: { reader1: side(a.reads.reader1, 'Reader 1'), reader2: side(a.reads.reader2, 'Reader 2') },
    ...(isBlinded(v) ? {} : { assigneeId: a.assigneeId, assigneeName: a.assigneeName, createdAt: a.createdAt, supersededReason: a.supersededReason }),
  };
}

export function taskView(v: Viewer, t: TaskRecord) {
  return {
    kind: t.kind,
    id: t.id,
    trialId: t.trialId,
    trialCode: t.trialCode,
    subject: subjectRef(v, t.subject),
    timepoint: timepointRef(v, t.timepoint),
    state: t.state,
    dueOn: t.dueOn,
  };
}

export function finalAssessmentView(v: Viewer, f: FinalRecord) {
  return {
    subject: subjectRef(v, f.subject),
    timepoints: f.timepoints.map((t) => ({ ...t, timepoint: timepointRef(v, t.timepoint) })),
    adjudications: f.adjudications,
  };
}

// ---- image resources (added by ingest): the fields a blinded viewer may see, by resource type ---------------

/**
 * Deny by default: a blinded viewer sees only these fields of image resources. Descriptions, dates, institution,
 * device serials and upload details are absent on purpose (BL-01, BL-04, DEID-06).
 */
export const BLINDED_IMAGE_FIELDS = {
  study: ['id', 'timepointId', 'modality', 'seriesCount'],
  series: ['id', 'studyId', 'timepointId', 'modality', 'bodyPart', 'sliceThicknessMm', 'rows', 'columns', 'pixelSpacingMm', 'instanceCount', 'frameOfReferenceUid'],
  instance: ['id', 'seriesId', 'instanceNumber', 'sliceLocationMm', 'imagePositionPatient', 'imageOrientationPatient'],
} as const;
export type ImageResource = keyof typeof BLINDED_IMAGE_FIELDS;

export function imageResourceView(v: Viewer, kind: ImageResource, record: Record<string, unknown>): Record<string, unknown> {
  if (!isBlinded(v)) return { ...record };
  return Object.fromEntries(BLINDED_IMAGE_FIELDS[kind].filter((k) => record[k] !== undefined).map((k) => [k, record[k]]));
}
