// Reading tasks come into existence when QC releases a timepoint (onTimepointReleased, called by ingest's QC
// release in its transaction). The subject's two readers are chosen at its first release and follow it through
// the trial; core-lab staff may name them beforehand (assignReaders).
import { randomUUID } from 'node:crypto';
import { type Actor, appendAuditEvent } from '../../audit/audit-log.js';
import type { DbOrTrx, Trx } from '../../db/connect.js';
import type { ReadsTable, ReaderAssignmentsTable } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { type PoolMember, chooseReaders, describeAssignmentProblem, readerAssignmentProblems } from '../../domain/reading/assignment.js';
import type { ReadingParadigm } from '../../domain/reading/paradigm.js';
import { type ServiceContext, inTransaction } from '../service-context.js';
import { getSubjectRow } from '../trials.js';
import { dueOn, lockSubject, subjectTimepoints, trialParadigm } from './reading-records.js';

export const READING_ACTOR: Actor = { userId: null, name: 'Corelab reading', role: 'system' };

/** Active members of the trial holding a role. */
export async function poolOf(db: DbOrTrx, trialId: string, role: 'reader' | 'adjudicator'): Promise<string[]> {
  const rows = await db.selectFrom('memberships').select('user_id').where('trial_id', '=', trialId).where('role', '=', role).where('status', '=', 'active').execute();
  return rows.map((r) => r.user_id);
}

async function readerLoads(db: DbOrTrx, trialId: string, users: string[]): Promise<PoolMember[]> {
  const out: PoolMember[] = [];
  for (const userId of users) {
    const open = await db.selectFrom('reads').select((eb) => eb.fn.countAll<number>().as('n')).where('trial_id', '=', trialId).where('reader_id', '=', userId).where('state', '!=', 'signed').executeTakeFirstOrThrow();
    const total = await db.selectFrom('reader_assignments').select((eb) => eb.fn.countAll<number>().as('n')).where('trial_id', '=', trialId).where('user_id', '=', userId).executeTakeFirstOrThrow();
    out.push({ userId, openLoad: Number(open.n), totalLoad: Number(total.n) });
  }
  return out;
}

async function adjudicatorsOfSubject(db: DbOrTrx, subjectId: string): Promise<string[]> {
  const rows = await db.selectFrom('adjudications').select('assignee_id').where('subject_id', '=', subjectId).where('assignee_id', 'is not', null).execute();
  return rows.map((r) => r.assignee_id!);
}

/** Eligible readers: the reader pool, less adjudicators when the charter keeps the roles apart. */
async function eligibleReaders(db: DbOrTrx, trialId: string, paradigm: ReadingParadigm): Promise<{ readers: string[]; adjudicators: string[] }> {
  const readers = await poolOf(db, trialId, paradigm.pools.readers);
  const adjudicators = await poolOf(db, trialId, paradigm.pools.adjudicators);
  return { readers, adjudicators };
}

export async function subjectAssignments(db: DbOrTrx, subjectId: string): Promise<ReaderAssignmentsTable[]> {
  return db.selectFrom('reader_assignments').selectAll().where('subject_id', '=', subjectId).orderBy('reader_no').execute();
}

/** Names the readers of a subject before its reading starts (core-lab staff). */
export async function assignReaders(ctx: ServiceContext, actor: Actor, trialId: string, subjectId: string, readerIds: string[]) {
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    await getSubjectRow(trx, trialId, subjectId);
    await lockSubject(trx, subjectId);
    const { paradigm } = await trialParadigm(trx, trialId);
    if (readerIds.length !== paradigm.readers) throw new DomainError('UNPROCESSABLE', `the charter has ${paradigm.readers} reader(s) per subject`);
    const started = await trx.selectFrom('reads').select('id').where('subject_id', '=', subjectId).executeTakeFirst();
    if (started) throw new DomainError('CONFLICT', 'reading of this subject has started; its readers follow it through the trial');
    const pools = await eligibleReaders(trx, trialId, paradigm);
    const problems = readerAssignmentProblems({
      readers: readerIds,
      readerPool: pools.readers,
      adjudicatorPool: pools.adjudicators,
      adjudicatorMayRead: paradigm.adjudication.adjudicatorMayRead,
      adjudicatorsOfSubject: await adjudicatorsOfSubject(trx, subjectId),
    });
    if (problems.length) throw new DomainError('CONFLICT', problems.map(describeAssignmentProblem).join('; '), { problems });
    const before = await subjectAssignments(trx, subjectId);
    for (const [i, userId] of readerIds.entries()) {
      const readerNo = i + 1;
      const existing = before.find((a) => Number(a.reader_no) === readerNo);
      if (existing) await trx.updateTable('reader_assignments').set({ user_id: userId, created_at: now.toISOString() }).where('id', '=', existing.id).execute();
      else await trx.insertInto('reader_assignments').values({ id: randomUUID(), trial_id: trialId, subject_id: subjectId, reader_no: readerNo, user_id: userId, created_at: now.toISOString() }).execute();
    }
    const after = readerIds.map((userId, i) => ({ readerNo: i + 1, userId }));
    audit({ action: 'reading.readers_assign', entityType: 'subject', entityId: subjectId, trialId, before: before.map((a) => ({ readerNo: Number(a.reader_no), userId: a.user_id })), after });
    return { subjectId, readers: after };
  });
}

/**
 * QC released a timepoint: create reader 1's and reader 2's reads of it, in the caller's transaction. A read
 * opens at once when it is the subject's baseline or the reader has signed the previous timepoint (BL-06);
 * otherwise it waits. Idempotent: a second call for the same timepoint does nothing.
 */
export async function onTimepointReleased(trx: Trx, ctx: ServiceContext, timepointId: string, now: Date, actor: Actor = READING_ACTOR): Promise<void> {
  const tp = await trx.selectFrom('timepoints').selectAll().where('id', '=', timepointId).executeTakeFirst();
  if (!tp) throw new DomainError('NOT_FOUND', `timepoint ${timepointId} not found`);
  await lockSubject(trx, tp.subject_id);
  const existing = await trx.selectFrom('reads').select('id').where('timepoint_id', '=', timepointId).executeTakeFirst();
  if (existing) return;
  const { paradigm } = await trialParadigm(trx, tp.trial_id);
  const at = now.toISOString();
  const event = (rec: Parameters<typeof appendAuditEvent>[2]) => appendAuditEvent(trx, actor, rec, now);

  let assignments = await subjectAssignments(trx, tp.subject_id);
  if (assignments.length === 0) {
    const pools = await eligibleReaders(trx, tp.trial_id, paradigm);
    const excluded = new Set([...(paradigm.adjudication.adjudicatorMayRead ? [] : pools.adjudicators), ...(await adjudicatorsOfSubject(trx, tp.subject_id))]);
    const chosen = chooseReaders(await readerLoads(trx, tp.trial_id, pools.readers), paradigm.readers, excluded);
    if (!chosen) {
      throw new DomainError('CONFLICT', `the trial needs ${paradigm.readers} eligible readers before a timepoint can be released for reading`);
    }
    assignments = chosen.map((userId, i) => ({ id: randomUUID(), trial_id: tp.trial_id, subject_id: tp.subject_id, reader_no: i + 1, user_id: userId, created_at: at }));
    for (const a of assignments) await trx.insertInto('reader_assignments').values(a).execute();
    await event({ action: 'reading.readers_assign', entityType: 'subject', entityId: tp.subject_id, trialId: tp.trial_id, after: assignments.map((a) => ({ readerNo: a.reader_no, userId: a.user_id })) });
  }

  const timepoints = await subjectTimepoints(trx, tp.subject_id);
  const index = timepoints.findIndex((t) => t.id === timepointId);
  for (const a of assignments) {
    const previousSigned = await previousTimepointSigned(trx, paradigm, timepoints, index, Number(a.reader_no));
    const row: ReadsTable = {
      id: randomUUID(),
      trial_id: tp.trial_id,
      subject_id: tp.subject_id,
      timepoint_id: timepointId,
      reader_no: Number(a.reader_no),
      reader_id: a.user_id,
      state: previousSigned ? 'open' : 'waiting',
      current_version: 0,
      due_on: dueOn(now, paradigm.dueDays),
      created_at: at,
      updated_at: at,
      signed_at: null,
    };
    await trx.insertInto('reads').values(row).execute();
    await event({ action: 'read.create', entityType: 'read', entityId: row.id, trialId: tp.trial_id, after: { timepointId, readerNo: row.reader_no, readerId: row.reader_id, state: row.state, dueOn: row.due_on } });
  }
}

/**
 * BL-06: in a sequential-locked read, timepoint n opens only after the same reader signed n-1. Without the
 * lock, only the baseline must be signed first (follow-ups are measured against it).
 */
export async function previousTimepointSigned(db: DbOrTrx, paradigm: ReadingParadigm, timepoints: Array<{ id: string }>, index: number, readerNo: number): Promise<boolean> {
  if (index <= 0) return true;
  const prior = paradigm.sequentialLocked ? timepoints[index - 1] : timepoints[0];
  const read = await db.selectFrom('reads').select('state').where('timepoint_id', '=', prior.id).where('reader_no', '=', readerNo).executeTakeFirst();
  return read?.state === 'signed';
}
