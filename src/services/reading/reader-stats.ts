// GET /trials/{id}/reader-stats: reader performance for core-lab staff only (BL-09).
import { type MeasurementUse, type SubjectComparison, readerPerformance } from '../../domain/reading/reader-performance.js';
import { measurementsOf } from '../../domain/reading/read-content.js';
import type { DiscordanceCause } from '../../domain/reading/reader-performance.js';
import type { StoredEvaluation } from '../../domain/blinding/projections.js';
import type { ServiceContext } from '../service-context.js';
import { signedPairs } from './adjudication.js';
import { parseContent, parseEvaluation, trialParadigm } from './reading-records.js';

export async function readerStats(ctx: ServiceContext, trialId: string) {
  const { paradigm } = await trialParadigm(ctx.db, trialId);
  const criteria = paradigm.adjudication.criteria;
  const subjects = await ctx.db.selectFrom('subjects').select('id').where('trial_id', '=', trialId).orderBy('subject_code').execute();
  // the trial's assignments and adjudications in one query each, grouped by subject
  const assignments = await ctx.db.selectFrom('reader_assignments').selectAll().where('trial_id', '=', trialId).orderBy('reader_no').execute();
  const adjudications = await ctx.db.selectFrom('adjudications').selectAll().where('trial_id', '=', trialId).where('state', '!=', 'superseded').execute();
  const comparisons: SubjectComparison[] = [];
  for (const s of subjects) {
    const assigned = assignments.filter((a) => a.subject_id === s.id);
    if (assigned.length < 2) continue;
    const pairs = await signedPairs(ctx.db, s.id);
    if (pairs.length === 0) continue;
    const resp = (e: StoredEvaluation | null) => e?.timepoint.responses.find((r) => r.criteria === criteria)?.effective ?? null;
    const followups = pairs.slice(1);
    const last = pairs.at(-1)!;
    const adj = adjudications.filter((a) => a.subject_id === s.id);
    comparisons.push({
      subjectId: s.id,
      reader1: assigned[0].user_id,
      reader2: assigned[1].user_id,
      timepointPairs: followups.map((p) => ({ label: p.timepoint.blindedLabel, r1: resp(parseEvaluation(p.r1.version)), r2: resp(parseEvaluation(p.r2.version)) })),
      bor: followups.length
        ? { r1: parseEvaluation(last.r1.version)?.timepoint.bestOverallResponse[criteria] ?? null, r2: parseEvaluation(last.r2.version)?.timepoint.bestOverallResponse[criteria] ?? null }
        : null,
      adjudications: adj.filter((a) => a.state === 'completed').map((a) => ({ chosenReaderNo: Number(a.chosen_reader_no) as 1 | 2, cause: a.cause as DiscordanceCause })),
      adjudicationOpen: adj.some((a) => a.state === 'open'),
    });
  }
  // AI assist: every measurement in the current signed version of each read of the trial.
  const signed = await ctx.db
    .selectFrom('reads')
    .innerJoin('read_versions', (j) => j.onRef('read_versions.read_id', '=', 'reads.id').onRef('read_versions.version', '=', 'reads.current_version'))
    .select(['reads.reader_id', 'read_versions.content_json', 'read_versions.id', 'read_versions.read_id', 'read_versions.version', 'read_versions.state', 'read_versions.evaluation_json', 'read_versions.reason', 'read_versions.signature_id', 'read_versions.created_by', 'read_versions.created_at', 'read_versions.updated_at', 'read_versions.signed_at'])
    .where('reads.trial_id', '=', trialId)
    .where('reads.state', '=', 'signed')
    .execute();
  const uses: MeasurementUse[] = signed.flatMap((r) =>
    measurementsOf(parseContent(r)).map((m) => ({ readerId: r.reader_id, decision: m.decision, aiProposalMm: m.aiProposalMm ?? null, finalMm: m.finalMm })),
  );
  const perf = readerPerformance(comparisons, uses);
  const readerIds = perf.readers.map((r) => r.readerId);
  const users = readerIds.length ? await ctx.db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', readerIds).execute() : [];
  const names = new Map(users.map((u) => [u.id, u.display_name]));
  return { trialId, criteria, trial: perf.trial, readers: perf.readers.map((r) => ({ ...r, readerName: names.get(r.readerId) ?? null })) };
}
