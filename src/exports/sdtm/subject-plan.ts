// Per-subject decisions shared by the TU, TR and RS builders: who assessed what, reader-prefixed link IDs
// (primer section 1 and 3.1), link groups per assessor and visit, and acceptance flags (primer 3.3).
import { DomainError, isDomainError } from '../../domain/errors.js';
import { type ValidatedSubject, validateSubjectResponseInput } from '../../domain/response/index.js';
import {
  EVALUATOR_IDS,
  type EvaluatorId,
  type ExportStudy,
  type ExportSubject,
  type SubjectAssessment,
  type SubjectVisit,
} from './assessment.js';
import type { RsCategory } from './terminology.js';

export type Flag = 'Y' | 'N' | null;

export interface LesionLinks {
  readonly targets: ReadonlyMap<string, string>;
  readonly nonTargets: ReadonlyMap<string, string>;
  readonly newLesions: ReadonlyMap<string, string>;
}

export interface AssessorPlan {
  readonly assessment: SubjectAssessment;
  /**
   * The assessment's engine input as the engine reads it (validated: defaults filled in, follow-ups in date
   * order, new lesions with their organ at every reading). TU and TR are written from this, so that they carry
   * exactly what the engine evaluated.
   */
  readonly read: ValidatedSubject;
  /** Link-id prefix: `R1`, `R2`, `ADJ1`. */
  readonly prefix: string;
  /** Readers and re-reading adjudicators get TU/TR/RS; an adjudication by selection gets RS only. */
  readonly fullRecords: boolean;
  readonly links: LesionLinks;
  /** TU/TR rows and the reader-only RS tests (TRGRESP, NTRGRESP, NEWLPROG). */
  readonly acceptedRecords: Flag;
}

export interface SubjectPlan {
  readonly subject: ExportSubject;
  readonly visits: readonly SubjectVisit[];
  readonly baselineVisit: SubjectVisit;
  readonly assessors: readonly AssessorPlan[];
  /** RSACPTFL of OVRLRESP/BESTRESP: visitNum null = BESTRESP. */
  responseFlag(evalId: EvaluatorId, category: RsCategory, visitNum: number | null): Flag;
  visitOfTimepoint(label: string): SubjectVisit;
  /** TRLNKGRP / RSLNKGRP of an assessor at a visit: `R1-A2` = prefix + ordinal of the visit. */
  linkGroup(prefix: string, visit: SubjectVisit): string;
}

export function linkPrefix(evalId: EvaluatorId): string {
  switch (evalId) {
    case 'RADIOLOGIST 1':
      return 'R1';
    case 'RADIOLOGIST 2':
      return 'R2';
    case 'ADJUDICATOR 1':
      return 'ADJ1';
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The engine's own validation of an assessment's input; an invalid input fails the build (DomainError). */
export function validatedRead(usubjid: string, a: SubjectAssessment): ValidatedSubject {
  try {
    return validateSubjectResponseInput(a.input);
  } catch (e) {
    if (isDomainError(e)) throw new DomainError(e.code, `${usubjid} ${a.assessor.evalId}: ${e.detail}`, e.extras);
    throw e;
  }
}

export function lesionLinks(prefix: string, a: ValidatedSubject): LesionLinks {
  const targets = new Map(a.baseline.targets.map((t, i) => [t.id, `${prefix}-T${pad2(i + 1)}`] as const));
  const nonTargets = new Map(a.baseline.nonTargets.map((t, i) => [t.id, `${prefix}-NT${pad2(i + 1)}`] as const));
  const newLesions = new Map<string, string>();
  for (const f of a.followups) {
    for (const n of f.newLesions) if (!newLesions.has(n.id)) newLesions.set(n.id, `${prefix}-NEW${pad2(newLesions.size + 1)}`);
  }
  return { targets, nonTargets, newLesions };
}

/** TULNKID of the k-th fragment (1-based) of a split target: `R1-T04.1` (primer 2.1). */
export function fragmentLink(targetLink: string, k: number): string {
  return `${targetLink}.${k}`;
}

const evalOrder = (id: EvaluatorId) => EVALUATOR_IDS.indexOf(id);

export function planSubject(study: ExportStudy, subject: ExportSubject): SubjectPlan {
  const fail = (detail: string) => new DomainError('UNPROCESSABLE', `${subject.usubjid}: ${detail}`);
  const visits = [...subject.visits].sort((a, b) => a.visitNum - b.visitNum);
  const baselines = visits.filter((v) => v.timepointLabel === null);
  if (baselines.length !== 1) throw fail('exactly one baseline visit (timepointLabel null) is required');
  const baselineVisit = baselines[0];
  const byLabel = new Map<string, SubjectVisit>();
  for (const v of visits) if (v.timepointLabel !== null) byLabel.set(v.timepointLabel, v);
  const ordinal = new Map(visits.map((v, i) => [v, i + 1] as const));

  const assessments = [...subject.assessments].sort((a, b) => evalOrder(a.assessor.evalId) - evalOrder(b.assessor.evalId));
  const seen = new Set<EvaluatorId>();
  for (const a of assessments) {
    if (seen.has(a.assessor.evalId)) throw fail(`two assessments by ${a.assessor.evalId}`);
    seen.add(a.assessor.evalId);
    if (a.assessor.eval === 'INDEPENDENT ASSESSOR' && a.selectedEvalId !== undefined) throw fail('only an adjudicator selects a reader');
    if (a.assessor.eval === 'ADJUDICATOR' && a.assessor.evalId !== 'ADJUDICATOR 1') throw fail('adjudicator must be ADJUDICATOR 1');
    if (a.assessor.eval === 'INDEPENDENT ASSESSOR' && a.assessor.evalId === 'ADJUDICATOR 1') throw fail('ADJUDICATOR 1 is not an independent assessor');
  }
  const selection = assessments.find((a) => a.selectedEvalId !== undefined);
  if (selection && !assessments.some((a) => a.assessor.evalId === selection.selectedEvalId && a.selectedEvalId === undefined)) {
    throw fail(`adjudicator selected ${selection.selectedEvalId}, who has no assessment`);
  }
  const rereader = assessments.find((a) => a.assessor.eval === 'ADJUDICATOR' && a.selectedEvalId === undefined);
  const readers = assessments.filter((a) => a.selectedEvalId === undefined);
  // Accepted records: the adjudicator's re-read, else the selected reader, else the protocol's primary reader.
  const acceptedEvalId: EvaluatorId | undefined =
    rereader?.assessor.evalId ??
    selection?.selectedEvalId ??
    (readers.some((r) => r.assessor.evalId === study.primaryEvalId) ? study.primaryEvalId : readers[0]?.assessor.evalId);

  const assessors: AssessorPlan[] = assessments.map((a) => {
    const prefix = linkPrefix(a.assessor.evalId);
    const fullRecords = a.selectedEvalId === undefined;
    const read = validatedRead(subject.usubjid, a);
    for (const f of read.followups) if (!byLabel.has(f.label)) throw fail(`timepoint ${f.label} of ${a.assessor.evalId} has no visit`);
    for (const t of a.evaluation.timepoints) if (!byLabel.has(t.label)) throw fail(`evaluated timepoint ${t.label} of ${a.assessor.evalId} has no visit`);
    return {
      assessment: a,
      read,
      prefix,
      fullRecords,
      links: lesionLinks(prefix, read),
      acceptedRecords: fullRecords ? (a.assessor.evalId === acceptedEvalId ? 'Y' : 'N') : null,
    };
  });

  const selectionCovers = (category: RsCategory, visitNum: number | null): boolean => {
    if (!selection) return false;
    const best = selection.evaluation.bestOverallResponse;
    if (visitNum === null) return category === 'RECIST 1.1' ? best.recist11 != null : best.irecist != null;
    return selection.evaluation.timepoints.some(
      (t) => byLabel.get(t.label)?.visitNum === visitNum && (category === 'RECIST 1.1' ? t.recist11 !== null : t.irecist != null),
    );
  };

  return {
    subject,
    visits,
    baselineVisit,
    assessors,
    responseFlag(evalId, category, visitNum) {
      if (selectionCovers(category, visitNum)) return evalId === selection!.assessor.evalId ? 'Y' : 'N';
      return evalId === acceptedEvalId ? 'Y' : 'N';
    },
    visitOfTimepoint(label) {
      const v = byLabel.get(label);
      if (!v) throw fail(`timepoint ${label} has no visit`);
      return v;
    },
    linkGroup(prefix, visit) {
      return `${prefix}-A${ordinal.get(visit)}`;
    },
  };
}
