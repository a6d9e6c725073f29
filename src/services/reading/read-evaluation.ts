// A read evaluated on the reader's own course: their signed reads of earlier timepoints of the subject plus
// this read's content, through the response engine (response-evaluation.ts).
import type { DbOrTrx } from '../../db/connect.js';
import type { ReadVersionsTable, ReadsTable } from '../../db/schema.js';
import type { StoredEvaluation, TimepointRecord } from '../../domain/blinding/projections.js';
import { isDomainError } from '../../domain/errors.js';
import { type DatedRead, buildEngineInput, timepointEvaluation } from '../../domain/reading/engine-input.js';
import type { ReadingParadigm, ResponseCriteria } from '../../domain/reading/paradigm.js';
import { type ContentProblem, type ReadContent, readContentProblems } from '../../domain/reading/read-content.js';
import { evaluateSubject } from './response-evaluation.js';
import { parseContent } from './reading-records.js';

export interface OwnSignedRead { timepoint: TimepointRecord; read: ReadsTable; version: ReadVersionsTable }

/** The reader's signed reads (current version) of the subject's timepoints before `beforeIndex`. */
export async function ownSignedReads(db: DbOrTrx, read: ReadsTable, timepoints: TimepointRecord[], beforeIndex: number): Promise<OwnSignedRead[]> {
  const out: OwnSignedRead[] = [];
  for (const tp of timepoints.slice(0, beforeIndex)) {
    const r = await db.selectFrom('reads').selectAll().where('timepoint_id', '=', tp.id).where('reader_no', '=', Number(read.reader_no)).executeTakeFirst();
    if (!r || r.state !== 'signed') continue;
    const v = await db.selectFrom('read_versions').selectAll().where('read_id', '=', r.id).where('version', '=', Number(r.current_version)).executeTakeFirstOrThrow();
    out.push({ timepoint: tp, read: r, version: v });
  }
  return out;
}

export interface ReadEvaluation {
  evaluation: StoredEvaluation | null;
  /** what keeps the read from being signed (incomplete content, invalid baseline, engine refusals) */
  problems: ContentProblem[];
  /** overrides of the engine's response that lack a reason */
  overridesWithoutReason: ResponseCriteria[];
}

export async function evaluateRead(db: DbOrTrx, paradigm: ReadingParadigm, read: ReadsTable, timepoints: TimepointRecord[], content: ReadContent): Promise<ReadEvaluation> {
  const index = timepoints.findIndex((t) => t.id === read.timepoint_id);
  const kind = index === 0 ? 'baseline' : 'followup';
  const earlier = await ownSignedReads(db, read, timepoints, index);
  const baselineRead = earlier.find((e) => e.timepoint.id === timepoints[0].id);
  const baselineContent = kind === 'baseline' ? content : baselineRead && parseContent(baselineRead.version);
  const problems = readContentProblems(kind, content, baselineContent);
  const none = (p: ContentProblem[]): ReadEvaluation => ({ evaluation: null, problems: p, overridesWithoutReason: [] });
  if (problems.length > 0 || !baselineContent) return none(problems);
  const dated = (tp: TimepointRecord, c: ReadContent): DatedRead | null => (tp.scanDate ? { label: tp.blindedLabel, date: tp.scanDate, content: c } : null);
  const current = timepoints[index];
  const course = [...earlier.map((e) => dated(e.timepoint, parseContent(e.version))), dated(current, content)];
  if (course.some((c) => c === null)) return none([{ pointer: '/', detail: 'a scan date of this subject is not known yet; the read cannot be evaluated' }]);
  const [baseline, ...rest] = kind === 'baseline' ? [course.at(-1)!] : (course as DatedRead[]);
  const followups = kind === 'baseline' ? [] : (rest as DatedRead[]);
  try {
    const engine = evaluateSubject(buildEngineInput({ criteria: paradigm.criteria, protocol: paradigm.responseOptions, baseline: baseline!, followups }));
    const { evaluation, overridesWithoutReason } = timepointEvaluation(engine, current.blindedLabel, paradigm.criteria, content.responseOverrides);
    const out: ContentProblem[] = [];
    if (kind === 'baseline' && !engine.baseline.valid) {
      out.push({ pointer: '/targets', detail: `the baseline does not meet the response criteria: ${engine.baseline.violations.map((v) => v.code).join(', ')}` });
    }
    return { evaluation: { engine, timepoint: evaluation }, problems: out, overridesWithoutReason };
  } catch (e) {
    if (isDomainError(e) && e.code === 'INVALID_RESPONSE_INPUT') return none([{ pointer: '/', detail: e.detail }]);
    throw e;
  }
}
