// The final assessment of a subject per timepoint: the concordant reads or the adjudicated choice, saying which.
import { type FinalRecord, finalAssessmentView } from '../../domain/blinding/projections.js';
import { finalAssessment } from '../../domain/reading/final-assessment.js';
import type { ServiceContext } from '../service-context.js';
import { getSubjectRow } from '../trials.js';
import { currentVersionRow, parseEvaluation, subjectRecord, subjectTimepoints, trialParadigm } from './reading-records.js';

export type FinalAssessmentView = ReturnType<typeof finalAssessmentView>;

export async function getFinalAssessment(ctx: ServiceContext, trialId: string, subjectId: string): Promise<FinalAssessmentView> {
  await getSubjectRow(ctx.db, trialId, subjectId);
  const { paradigm } = await trialParadigm(ctx.db, trialId);
  const timepoints = await subjectTimepoints(ctx.db, subjectId);
  const reads = await ctx.db.selectFrom('reads').selectAll().where('subject_id', '=', subjectId).execute();
  const signedRead = async (timepointId: string, no: number) => {
    const r = reads.find((x) => x.timepoint_id === timepointId && Number(x.reader_no) === no);
    if (!r || r.state !== 'signed') return null;
    const v = (await currentVersionRow(ctx.db, r))!;
    return { version: Number(v.version), evaluation: parseEvaluation(v)! };
  };
  const input = [];
  for (const tp of timepoints.filter((t) => reads.some((r) => r.timepoint_id === t.id))) {
    input.push({ timepointId: tp.id, label: tp.blindedLabel, reader1: await signedRead(tp.id, 1), reader2: await signedRead(tp.id, 2) });
  }
  const adjudications = (await ctx.db.selectFrom('adjudications').selectAll().where('subject_id', '=', subjectId).where('state', '!=', 'superseded').execute()).map((a) => ({
    id: a.id,
    throughTimepointId: a.through_timepoint_id,
    state: a.state as 'open' | 'completed',
    chosenReaderNo: a.chosen_reader_no === null ? null : (Number(a.chosen_reader_no) as 1 | 2),
  }));
  const final = finalAssessment(paradigm.adjudication.scope, paradigm.readers, input, adjudications);
  const record: FinalRecord = {
    subject: await subjectRecord(ctx.db, subjectId),
    timepoints: final.map((f) => ({
      timepoint: timepoints.find((t) => t.id === f.timepointId)!,
      source: f.source,
      readerNo: f.readerNo,
      adjudicationId: f.adjudicationId,
      responses: f.read?.evaluation.timepoint.responses ?? null,
      bestOverallResponse: f.read?.evaluation.timepoint.bestOverallResponse ?? null,
      readVersion: f.read?.version ?? null,
    })),
    adjudications,
  };
  return finalAssessmentView({ kind: 'core_lab', reveal: paradigm.reveal }, record);
}
