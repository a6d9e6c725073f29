// GET /me/tasks: each person's worklist across trials: their reads (waiting, open, draft; signed ones too when
// asked) and the adjudications assigned to them, with due dates. Blinded: it names no other reader.
import { type TaskRecord, taskView } from '../../domain/blinding/projections.js';
import type { ServiceContext } from '../service-context.js';
import { subjectRecord, subjectTimepoints, trialParadigm } from './reading-records.js';

export type TaskView = ReturnType<typeof taskView>;

export async function listMyTasks(ctx: ServiceContext, userId: string, which: 'pending' | 'all'): Promise<TaskView[]> {
  const roles = await ctx.db.selectFrom('memberships').select(['trial_id', 'role']).where('user_id', '=', userId).where('status', '=', 'active').execute();
  const readerTrials = roles.filter((r) => r.role === 'reader').map((r) => r.trial_id);
  const adjudicatorTrials = roles.filter((r) => r.role === 'adjudicator').map((r) => r.trial_id);
  const out: Array<{ view: TaskView; sort: string }> = [];
  const trialCode = new Map<string, string>();
  const codeOf = async (trialId: string) => {
    if (!trialCode.has(trialId)) trialCode.set(trialId, (await ctx.db.selectFrom('trials').select('code').where('id', '=', trialId).executeTakeFirstOrThrow()).code);
    return trialCode.get(trialId)!;
  };
  const add = async (t: Omit<TaskRecord, 'trialCode' | 'subject' | 'timepoint'> & { subjectId: string; timepointId: string }) => {
    const { paradigm } = await trialParadigm(ctx.db, t.trialId);
    const timepoints = await subjectTimepoints(ctx.db, t.subjectId);
    const record: TaskRecord = { ...t, trialCode: await codeOf(t.trialId), subject: await subjectRecord(ctx.db, t.subjectId), timepoint: timepoints.find((x) => x.id === t.timepointId)! };
    // Each person sees their own worklist blinded, whatever other roles they hold.
    out.push({ view: taskView({ kind: t.kind === 'read' ? 'reader' : 'adjudicator', reveal: paradigm.reveal }, record), sort: `${t.dueOn} ${t.kind} ${t.id}` });
  };
  if (readerTrials.length) {
    let q = ctx.db.selectFrom('reads').selectAll().where('reader_id', '=', userId).where('trial_id', 'in', readerTrials);
    if (which === 'pending') q = q.where('state', '!=', 'signed');
    for (const r of await q.execute()) {
      await add({ kind: 'read', id: r.id, trialId: r.trial_id, subjectId: r.subject_id, timepointId: r.timepoint_id, state: r.state, dueOn: r.due_on });
    }
  }
  if (adjudicatorTrials.length) {
    let q = ctx.db.selectFrom('adjudications').selectAll().where('assignee_id', '=', userId).where('trial_id', 'in', adjudicatorTrials);
    q = which === 'pending' ? q.where('state', '=', 'open') : q.where('state', '!=', 'superseded');
    for (const a of await q.execute()) {
      await add({ kind: 'adjudication', id: a.id, trialId: a.trial_id, subjectId: a.subject_id, timepointId: a.through_timepoint_id, state: a.state, dueOn: a.due_on });
    }
  }
  return out.sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0)).map((x) => x.view);
}
