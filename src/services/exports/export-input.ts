// Assembles the SDTM export library's input (src/exports/sdtm/assessment.ts) for one trial and data cut-off from
// the reading records: each reader's signed reads as one engine course (their own reads only, primer 3.1), the
// adjudicator's decision as a selection of one reader (primer 3.2), and the final assessment through the
// acceptance flags the library derives from that selection (primer 3.3). Only scans dated on or before the
// cut-off are in the cut; a reader's course stops at their first timepoint in the cut that is not signed.
import type { DbOrTrx } from '../../db/connect.js';
import type { AdjudicationsTable, ReadsTable, TrialsTable } from '../../db/schema.js';
import type { TimepointRecord } from '../../domain/blinding/projections.js';
import { DomainError } from '../../domain/errors.js';
import { type DatedRead, buildEngineInput } from '../../domain/reading/engine-input.js';
import type { ReadingParadigm } from '../../domain/reading/paradigm.js';
import type { ReadContent } from '../../domain/reading/read-content.js';
import type { SubjectEvaluation, SubjectResponseInput } from '../../domain/response/index.js';
import type {
  EvaluatorId,
  ExportInput,
  ExportSubject,
  LesionLocation,
  SubjectAssessment,
  SubjectVisit,
} from '../../exports/sdtm/assessment.js';
import { currentVersionRow, parseContent, parseEvaluation, subjectTimepoints, trialParadigm } from '../reading/reading-records.js';

export const EXPORT_ASSESSMENTS = ['reader1', 'reader2', 'adjudicator'] as const;
export type ExportAssessment = (typeof EXPORT_ASSESSMENTS)[number];

const READER_EVAL_IDS: Record<1 | 2, EvaluatorId> = { 1: 'RADIOLOGIST 1', 2: 'RADIOLOGIST 2' };

/** SAS XPORT carries ASCII only (primer 6.3): visit names and locations are transliterated, never truncated. */
export function asciiUpper(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[_]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase();
}

/** TULOC from the organ the reader recorded (LOC codelist C74456 is upper case; nodes without a station: LYMPH NODE). */
export function lesionLocation(organ: string | undefined, nodal: boolean | undefined): LesionLocation {
  const loc = asciiUpper(organ ?? '');
  if (nodal && (loc === '' || loc === 'LYMPH NODE' || loc === 'NODE')) return { loc: 'LYMPH NODE' };
  return { loc: loc || 'UNKNOWN' };
}

export interface ReaderCourse {
  readerNo: 1 | 2;
  timepoints: TimepointRecord[];
  contents: ReadContent[];
  input: SubjectResponseInput;
  evaluation: SubjectEvaluation;
  locations: Record<string, LesionLocation>;
}

/** One reader's signed course within the cut, as the engine evaluated it when the last read was signed. */
async function readerCourse(
  db: DbOrTrx,
  paradigm: ReadingParadigm,
  readerNo: 1 | 2,
  inCut: TimepointRecord[],
  reads: ReadsTable[],
): Promise<ReaderCourse | null> {
  const timepoints: TimepointRecord[] = [];
  const contents: ReadContent[] = [];
  let evaluation: SubjectEvaluation | null = null;
  for (const tp of inCut) {
    const r = reads.find((x) => x.timepoint_id === tp.id && Number(x.reader_no) === readerNo);
    if (!r || r.state !== 'signed') break;
    const v = await currentVersionRow(db, r);
    const stored = v && parseEvaluation(v);
    if (!v || !stored) break;
    timepoints.push(tp);
    contents.push(parseContent(v));
    // The read of the latest timepoint carries the engine's evaluation of the whole course up to it.
    evaluation = stored.engine as unknown as SubjectEvaluation;
  }
  if (timepoints.length === 0 || !evaluation) return null;
  const dated = timepoints.map((tp, i): DatedRead => ({ label: tp.blindedLabel, date: tp.scanDate!, content: contents[i] }));
  const input = buildEngineInput({ criteria: paradigm.criteria, protocol: paradigm.responseOptions, baseline: dated[0], followups: dated.slice(1) });
  const locations: Record<string, LesionLocation> = {};
  const baseline = contents[0];
  for (const t of baseline.targets) locations[t.id] = lesionLocation(t.organ, t.nodal);
  for (const n of baseline.nonTargets) locations[n.id] = lesionLocation(n.organ, n.nodal);
  for (const c of contents.slice(1)) for (const n of c.newLesions ?? []) locations[n.id] ??= lesionLocation(n.organ, n.nodal);
  return { readerNo, timepoints, contents, input: input as unknown as SubjectResponseInput, evaluation, locations };
}

/**
 * The adjudicator's selection within the cut: the latest completed adjudication whose compared timepoint is in
 * both readers' courses. Charter scope `subject` decides every timepoint up to it; scope `timepoint` only the
 * timepoints adjudicated with the same choice. The adjudicator's RS covers those visits (OVRLRESP) and the best
 * overall response, with the selected reader's values (primer 3.2).
 */
function adjudicatorSelection(
  paradigm: ReadingParadigm,
  adjudications: AdjudicationsTable[],
  courses: { 1?: ReaderCourse; 2?: ReaderCourse },
): SubjectAssessment | null {
  const both = courses[1] && courses[2] ? Math.min(courses[1].timepoints.length, courses[2].timepoints.length) : 0;
  if (both === 0) return null;
  const order = courses[1]!.timepoints.slice(0, both).map((t) => t.id);
  const decided = adjudications
    .filter((a) => a.state === 'completed' && a.chosen_reader_no !== null && order.includes(a.through_timepoint_id))
    .sort((a, b) => order.indexOf(a.through_timepoint_id) - order.indexOf(b.through_timepoint_id) || String(a.completed_at).localeCompare(String(b.completed_at)));
  const latest = decided.at(-1);
  if (!latest) return null;
  const chosen = Number(latest.chosen_reader_no) as 1 | 2;
  const selected = courses[chosen]!;
  const covered = new Set<string>();
  const labelOf = (id: string) => selected.timepoints.find((t) => t.id === id)!.blindedLabel;
  if (paradigm.adjudication.scope === 'subject') {
    for (const id of order.slice(0, order.indexOf(latest.through_timepoint_id) + 1)) covered.add(labelOf(id));
  } else {
    for (const a of decided) if (Number(a.chosen_reader_no) === chosen) covered.add(labelOf(a.through_timepoint_id));
  }
  return {
    assessor: { eval: 'ADJUDICATOR', evalId: 'ADJUDICATOR 1' },
    input: selected.input,
    evaluation: { ...selected.evaluation, timepoints: selected.evaluation.timepoints.filter((t) => covered.has(t.label)) },
    locations: selected.locations,
    selectedEvalId: READER_EVAL_IDS[chosen],
  };
}

export interface AssembleOptions {
  trialId: string;
  /** ISO date YYYY-MM-DD */
  cutoff: string;
  assessments: readonly ExportAssessment[];
}

export function validateAssessments(assessments: readonly ExportAssessment[]): void {
  if (assessments.length === 0) throw new DomainError('UNPROCESSABLE', 'choose at least one assessment to export');
  // An adjudication by selection points at the reader it chose; that reader's records must be in the cut.
  if (assessments.includes('adjudicator') && !(assessments.includes('reader1') && assessments.includes('reader2'))) {
    throw new DomainError('UNPROCESSABLE', 'the adjudicator\'s decision selects a reader: export both readers with it');
  }
}

export async function assembleExportInput(db: DbOrTrx, opts: AssembleOptions): Promise<ExportInput> {
  validateAssessments(opts.assessments);
  const { trial, paradigm } = await trialParadigm(db, opts.trialId);
  const subjects = await db.selectFrom('subjects').selectAll().where('trial_id', '=', opts.trialId).orderBy('subject_code').execute();
  const out: ExportSubject[] = [];
  for (const s of subjects) {
    const subject = await exportSubject(db, trial, paradigm, s.id, s.subject_code, opts);
    if (subject) out.push(subject);
  }
  return {
    study: {
      studyId: asciiUpper(trial.code),
      studyName: asciiUpper(trial.title),
      protocolName: asciiUpper(trial.code),
      cutoff: opts.cutoff,
      primaryEvalId: 'RADIOLOGIST 1', // the charter's reference reader for concordant reads (final-assessment.ts)
    },
    subjects: out,
  };
}

async function exportSubject(
  db: DbOrTrx,
  trial: TrialsTable,
  paradigm: ReadingParadigm,
  subjectId: string,
  subjectCode: string,
  opts: AssembleOptions,
): Promise<ExportSubject | null> {
  const all = await subjectTimepoints(db, subjectId);
  const inCut: TimepointRecord[] = [];
  for (const tp of all) {
    if (!tp.scanDate || tp.scanDate > opts.cutoff) break; // visits are read in order; the cut ends at the first later scan
    inCut.push(tp);
  }
  if (inCut.length === 0) return null;
  const reads = await db.selectFrom('reads').selectAll().where('subject_id', '=', subjectId).execute();
  const courses: { 1?: ReaderCourse; 2?: ReaderCourse } = {};
  for (const no of [1, 2] as const) {
    const c = await readerCourse(db, paradigm, no, inCut, reads);
    if (c) courses[no] = c;
  }
  const assessments: SubjectAssessment[] = [];
  for (const no of [1, 2] as const) {
    const c = courses[no];
    if (c && opts.assessments.includes(no === 1 ? 'reader1' : 'reader2')) {
      assessments.push({ assessor: { eval: 'INDEPENDENT ASSESSOR', evalId: READER_EVAL_IDS[no] }, input: c.input, evaluation: c.evaluation, locations: c.locations });
    }
  }
  if (opts.assessments.includes('adjudicator')) {
    const adjudications = await db.selectFrom('adjudications').selectAll().where('subject_id', '=', subjectId).where('state', '=', 'completed').execute();
    const selection = adjudicatorSelection(paradigm, adjudications, courses);
    if (selection) assessments.push(selection);
  }
  if (assessments.length === 0) return null;
  // Visits of the exported readers' courses (the adjudicator's selection is one of them).
  const used = new Set<string>();
  for (const no of [1, 2] as const) {
    if (opts.assessments.includes(no === 1 ? 'reader1' : 'reader2')) for (const t of courses[no]?.timepoints ?? []) used.add(t.id);
  }
  const visits: SubjectVisit[] = inCut
    .filter((t) => used.has(t.id))
    .map((t, i) => ({
      visitNum: t.visitNum,
      visit: asciiUpper(t.visitLabel),
      epoch: i === 0 ? 'SCREENING' : 'TREATMENT',
      timepointLabel: i === 0 ? null : t.blindedLabel,
    }));
  return { usubjid: `${asciiUpper(trial.code)}-${asciiUpper(subjectCode)}`, visits, assessments };
}
