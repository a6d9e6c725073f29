// Adjudication (BL-07): once both reads of a subject are signed up to a timepoint, the charter's triggers are
// evaluated on the signed reads; a trigger opens an adjudication showing what differs. The adjudicator chooses
// reader 1 or reader 2 with a rationale and a coded cause, and signs (meaning "adjudicated"). A correction of a
// compared read supersedes the adjudication and the triggers are evaluated again.
import { randomUUID } from 'node:crypto';
import type { Actor, AuditRecord } from '../../audit/audit-log.js';
import { recordSignature } from '../../audit/e-signature.js';
import type { DbOrTrx, Trx } from '../../db/connect.js';
import type { AdjudicationsTable, ReadVersionsTable, ReadsTable } from '../../db/schema.js';
import { type AdjudicationRecord, type StoredEvaluation, type TimepointRecord, adjudicationView } from '../../domain/blinding/projections.js';
import type { Viewer } from '../../domain/blinding/viewer.js';
import { DomainError } from '../../domain/errors.js';
import { type ReaderCourse, type TriggerFinding, evaluateTriggers } from '../../domain/reading/adjudication-triggers.js';
import { adjudicatorAssignmentProblems, chooseAdjudicator, describeAssignmentProblem } from '../../domain/reading/assignment.js';
import type { ReadingParadigm } from '../../domain/reading/paradigm.js';
import type { DiscordanceCause } from '../../domain/reading/reader-performance.js';
import { reauthenticateForSigning } from '../accounts.js';
import { type ServiceContext, inTransaction } from '../service-context.js';
import { type Caller, isCoreLab } from './caller.js';
import { poolOf, subjectAssignments } from './reader-assignment.js';
import {
  assertCharterApproved, checkedSignature, dueOn, lockSubject, parseContent, parseEvaluation, readSignedContent, subjectRecord, subjectTimepoints, trialParadigm,
} from './reading-records.js';

/** The signed read versions an adjudication compared, per reader, in timepoint order. */
export interface Compared { reader1: Array<{ readId: string; version: number }>; reader2: Array<{ readId: string; version: number }> }

export interface SignedPair { timepoint: TimepointRecord; r1: { read: ReadsTable; version: ReadVersionsTable }; r2: { read: ReadsTable; version: ReadVersionsTable } }

/** The subject's timepoints both readers have signed, from baseline on without a gap. */
export async function signedPairs(db: DbOrTrx, subjectId: string): Promise<SignedPair[]> {
  const timepoints = await subjectTimepoints(db, subjectId);
  const reads = await db.selectFrom('reads').selectAll().where('subject_id', '=', subjectId).execute();
  const out: SignedPair[] = [];
  for (const tp of timepoints) {
    const r = [1, 2].map((no) => reads.find((x) => x.timepoint_id === tp.id && Number(x.reader_no) === no));
    if (!r[0] || !r[1] || r[0].state !== 'signed' || r[1].state !== 'signed') break;
    const v = async (read: ReadsTable) => db.selectFrom('read_versions').selectAll().where('read_id', '=', read.id).where('version', '=', Number(read.current_version)).executeTakeFirstOrThrow();
    out.push({ timepoint: tp, r1: { read: r[0], version: await v(r[0]) }, r2: { read: r[1], version: await v(r[1]) } });
  }
  return out;
}

const comparedOf = (pairs: SignedPair[]): Compared => ({
  reader1: pairs.map((p) => ({ readId: p.r1.read.id, version: Number(p.r1.version.version) })),
  reader2: pairs.map((p) => ({ readId: p.r2.read.id, version: Number(p.r2.version.version) })),
});

/** A reader's course for the triggers: responses of record and BOR as signed (criteria from the charter). */
function courseOf(paradigm: ReadingParadigm, pairs: SignedPair[], side: 'r1' | 'r2'): ReaderCourse {
  const criteria = paradigm.adjudication.criteria;
  const evals = pairs.map((p) => parseEvaluation(p[side].version) as StoredEvaluation);
  return {
    timepoints: pairs.slice(1).map((p, i) => ({
      label: p.timepoint.blindedLabel,
      date: p.timepoint.scanDate ?? '',
      response: evals[i + 1].timepoint.responses.find((r) => r.criteria === criteria)?.effective ?? null,
    })),
    bestOverallResponse: evals.at(-1)?.timepoint.bestOverallResponse[criteria] ?? null,
  };
}

function sameVersions(a: Compared, b: Compared, upTo: number): boolean {
  const key = (c: Compared) => JSON.stringify([c.reader1.slice(0, upTo), c.reader2.slice(0, upTo)]);
  return key(a) === key(b);
}

async function adjudicatorFor(trx: Trx, trialId: string, subjectReaders: string[]): Promise<string | null> {
  const pool = await poolOf(trx, trialId, 'adjudicator');
  const members = [];
  for (const userId of pool) {
    const open = await trx.selectFrom('adjudications').select((eb) => eb.fn.countAll<number>().as('n')).where('trial_id', '=', trialId).where('assignee_id', '=', userId).where('state', '=', 'open').executeTakeFirstOrThrow();
    const total = await trx.selectFrom('adjudications').select((eb) => eb.fn.countAll<number>().as('n')).where('trial_id', '=', trialId).where('assignee_id', '=', userId).executeTakeFirstOrThrow();
    members.push({ userId, openLoad: Number(open.n), totalLoad: Number(total.n) });
  }
  return chooseAdjudicator(members, subjectReaders);
}

/**
 * Brings the subject's adjudications in line with its signed reads. Idempotent; runs in the caller's
 * transaction after every signature and correction.
 */
export async function reconcileSubject(trx: Trx, ctx: ServiceContext, subjectId: string, now: Date, audit: (r: AuditRecord) => void): Promise<void> {
  const subject = await trx.selectFrom('subjects').selectAll().where('id', '=', subjectId).executeTakeFirstOrThrow();
  const { paradigm } = await trialParadigm(trx, subject.trial_id);
  if (paradigm.readers !== 2) return;
  const pairs = await signedPairs(trx, subjectId);
  const current = comparedOf(pairs);
  const at = now.toISOString();
  const active = await trx.selectFrom('adjudications').selectAll().where('subject_id', '=', subjectId).where('state', '!=', 'superseded').execute();
  const supersede = async (a: AdjudicationsTable, why: string) => {
    await trx.updateTable('adjudications').set({ state: 'superseded', superseded_reason: why, updated_at: at }).where('id', '=', a.id).execute();
    audit({ action: 'adjudication.supersede', entityType: 'adjudication', entityId: a.id, trialId: a.trial_id, before: { state: a.state }, after: { state: 'superseded' }, reason: why });
  };
  const remaining: AdjudicationsTable[] = [];
  for (const a of active) {
    const at_ = pairs.findIndex((p) => p.timepoint.id === a.through_timepoint_id);
    if (at_ < 0 || !sameVersions(JSON.parse(a.compared_json), current, at_ + 1)) await supersede(a, 'a compared read was corrected');
    else remaining.push(a);
  }
  if (pairs.length < 2) return; // baseline alone has no response to compare
  const through = pairs.at(-1)!;
  if (remaining.some((a) => a.through_timepoint_id === through.timepoint.id)) return;
  const all = evaluateTriggers(paradigm.adjudication, courseOf(paradigm, pairs, 'r1'), courseOf(paradigm, pairs, 'r2'));
  // Timepoint scope adjudicates the timepoint just compared: an earlier timepoint's difference had its own turn.
  const findings = paradigm.adjudication.scope === 'timepoint' ? all.filter((f) => f.label === undefined || f.label === through.timepoint.blindedLabel) : all;
  if (findings.length === 0) return;
  if (paradigm.adjudication.scope === 'subject') {
    // The new adjudication covers the whole subject up to this timepoint; an open one before it is overtaken.
    for (const a of remaining.filter((x) => x.state === 'open')) await supersede(a, `overtaken by the adjudication through ${through.timepoint.blindedLabel}`);
  }
  const readers = (await subjectAssignments(trx, subjectId)).map((a) => a.user_id);
  const assignee = await adjudicatorFor(trx, subject.trial_id, readers);
  const row: AdjudicationsTable = {
    id: randomUUID(),
    trial_id: subject.trial_id,
    subject_id: subjectId,
    through_timepoint_id: through.timepoint.id,
    scope: paradigm.adjudication.scope,
    state: 'open',
    triggers_json: JSON.stringify(findings),
    compared_json: JSON.stringify(current),
    assignee_id: assignee,
    chosen_reader_no: null,
    rationale: null,
    cause: null,
    signature_id: null,
    superseded_reason: null,
    due_on: dueOn(now, paradigm.dueDays),
    created_at: at,
    updated_at: at,
    completed_at: null,
  };
  await trx.insertInto('adjudications').values(row).execute();
  audit({ action: 'adjudication.open', entityType: 'adjudication', entityId: row.id, trialId: row.trial_id, after: { subjectId, throughTimepointId: row.through_timepoint_id, scope: row.scope, triggers: findings, compared: current, assigneeId: assignee } });
}

// ---- views and decisions ----------------------------------------------------------------------------------

async function getAdjudicationRow(db: DbOrTrx, trialId: string, id: string): Promise<AdjudicationsTable> {
  const row = await db.selectFrom('adjudications').selectAll().where('id', '=', id).where('trial_id', '=', trialId).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `adjudication ${id} not found`);
  return row;
}

function adjudicationSignedContent(a: AdjudicationsTable) {
  return {
    kind: 'adjudication',
    adjudicationId: a.id,
    trialId: a.trial_id,
    subjectId: a.subject_id,
    throughTimepointId: a.through_timepoint_id,
    scope: a.scope,
    triggers: JSON.parse(a.triggers_json),
    compared: JSON.parse(a.compared_json),
    chosenReaderNo: a.chosen_reader_no === null ? null : Number(a.chosen_reader_no),
    rationale: a.rationale,
    cause: a.cause,
  };
}

async function viewerOfAdjudication(db: DbOrTrx, caller: Caller, a: AdjudicationsTable): Promise<Viewer> {
  const { paradigm } = await trialParadigm(db, a.trial_id);
  if (a.assignee_id === caller.userId && caller.trialRoles.includes('adjudicator')) return { kind: 'adjudicator', reveal: paradigm.reveal };
  if (isCoreLab(caller)) return { kind: 'core_lab', reveal: paradigm.reveal };
  throw new DomainError('NOT_FOUND', `adjudication ${a.id} not found`);
}

async function adjudicationRecord(db: DbOrTrx, key: Buffer, a: AdjudicationsTable): Promise<AdjudicationRecord> {
  const timepoints = await subjectTimepoints(db, a.subject_id);
  const compared: Compared = JSON.parse(a.compared_json);
  const side = async (list: Compared['reader1']) => {
    const out: AdjudicationRecord['reads']['reader1'] = [];
    for (const c of list) {
      const read = await db.selectFrom('reads').selectAll().where('id', '=', c.readId).executeTakeFirstOrThrow();
      const v = await db.selectFrom('read_versions').selectAll().where('read_id', '=', c.readId).where('version', '=', c.version).executeTakeFirstOrThrow();
      const reader = await db.selectFrom('users').select('display_name').where('id', '=', read.reader_id).executeTakeFirstOrThrow();
      out.push({
        readId: read.id,
        readerId: read.reader_id,
        readerName: reader.display_name,
        timepoint: timepoints.find((t) => t.id === read.timepoint_id)!,
        version: c.version,
        content: parseContent(v),
        evaluation: parseEvaluation(v),
        signature: await checkedSignature(db, key, 'read', read.id, v.signature_id, readSignedContent(read, v)),
      });
    }
    return out;
  };
  const assignee = a.assignee_id ? await db.selectFrom('users').select('display_name').where('id', '=', a.assignee_id).executeTakeFirst() : undefined;
  return {
    id: a.id,
    trialId: a.trial_id,
    subject: await subjectRecord(db, a.subject_id),
    throughTimepoint: timepoints.find((t) => t.id === a.through_timepoint_id)!,
    scope: a.scope,
    state: a.state,
    triggers: JSON.parse(a.triggers_json) as TriggerFinding[],
    assigneeId: a.assignee_id,
    assigneeName: assignee?.display_name ?? null,
    dueOn: a.due_on,
    createdAt: a.created_at,
    completedAt: a.completed_at,
    supersededReason: a.superseded_reason,
    decision:
      a.state === 'completed'
        ? {
            chosenReaderNo: Number(a.chosen_reader_no),
            rationale: a.rationale ?? '',
            cause: a.cause ?? '',
            signature: await checkedSignature(db, key, 'adjudication', a.id, a.signature_id, adjudicationSignedContent(a)),
          }
        : null,
    reads: { reader1: await side(compared.reader1), reader2: await side(compared.reader2) },
  };
}

export type AdjudicationView = ReturnType<typeof adjudicationView>;

export async function getAdjudication(ctx: ServiceContext, caller: Caller, trialId: string, id: string): Promise<AdjudicationView> {
  const a = await getAdjudicationRow(ctx.db, trialId, id);
  const viewer = await viewerOfAdjudication(ctx.db, caller, a);
  return adjudicationView(viewer, await adjudicationRecord(ctx.db, ctx.config.secretKey, a));
}

export async function decideAdjudication(
  ctx: ServiceContext,
  actor: Actor,
  caller: Caller,
  trialId: string,
  id: string,
  input: { chosenReaderNo: 1 | 2; rationale: string; cause: DiscordanceCause; password?: string },
): Promise<AdjudicationView> {
  const probe = await getAdjudicationRow(ctx.db, trialId, id);
  if (probe.assignee_id !== caller.userId) throw new DomainError('NOT_FOUND', `adjudication ${id} not found`);
  if (!input.rationale?.trim()) throw new DomainError('REASON_REQUIRED', 'an adjudication states its rationale');
  const signer = await reauthenticateForSigning(ctx, actor, caller.userId, input.password);
  await inTransaction(ctx, actor, async (trx, audit, now) => {
    await lockSubject(trx, probe.subject_id);
    const a = await getAdjudicationRow(trx, trialId, id);
    const { trial } = await trialParadigm(trx, trialId);
    assertCharterApproved(trial);
    if (a.state !== 'open') throw new DomainError('CONFLICT', `this adjudication is ${a.state}`);
    if (a.assignee_id !== caller.userId) throw new DomainError('NOT_FOUND', `adjudication ${id} not found`);
    const readers = (await subjectAssignments(trx, a.subject_id)).map((x) => x.user_id);
    if (readers.includes(caller.userId)) throw new DomainError('CONFLICT', 'you read this subject and cannot adjudicate it');
    const at = now.toISOString();
    const decided: AdjudicationsTable = { ...a, chosen_reader_no: input.chosenReaderNo, rationale: input.rationale.trim(), cause: input.cause, state: 'completed', completed_at: at, updated_at: at };
    const sig = await recordSignature(
      trx,
      ctx.config.secretKey,
      { trialId, entityType: 'adjudication', entityId: a.id, recordVersion: 1, content: adjudicationSignedContent(decided), meaning: 'adjudicated', signer: { userId: signer.id, printedName: signer.displayName } },
      now,
    );
    await trx
      .updateTable('adjudications')
      .set({ chosen_reader_no: decided.chosen_reader_no, rationale: decided.rationale, cause: decided.cause, state: 'completed', completed_at: at, updated_at: at, signature_id: sig.id })
      .where('id', '=', a.id)
      .execute();
    audit({ action: 'adjudication.decide', entityType: 'adjudication', entityId: a.id, trialId, before: { state: 'open' }, after: { state: 'completed', chosenReaderNo: decided.chosen_reader_no, cause: decided.cause, rationale: decided.rationale, signatureId: sig.id } });
    audit({ action: 'signature.create', entityType: 'signature', entityId: sig.id, trialId, after: sig });
  });
  return getAdjudication(ctx, caller, trialId, id);
}

/** Core-lab staff hand an open adjudication to another adjudicator; never to one of the subject's readers (BL-05). */
export async function assignAdjudicator(ctx: ServiceContext, actor: Actor, caller: Caller, trialId: string, id: string, userId: string): Promise<AdjudicationView> {
  await inTransaction(ctx, actor, async (trx, audit, now) => {
    await lockSubject(trx, (await getAdjudicationRow(trx, trialId, id)).subject_id);
    const a = await getAdjudicationRow(trx, trialId, id);
    if (a.state !== 'open') throw new DomainError('CONFLICT', `this adjudication is ${a.state}`);
    const problems = adjudicatorAssignmentProblems({
      userId,
      adjudicatorPool: await poolOf(trx, trialId, 'adjudicator'),
      subjectReaders: (await subjectAssignments(trx, a.subject_id)).map((x) => x.user_id),
    });
    if (problems.length) throw new DomainError('CONFLICT', problems.map(describeAssignmentProblem).join('; '), { problems });
    await trx.updateTable('adjudications').set({ assignee_id: userId, updated_at: now.toISOString() }).where('id', '=', id).execute();
    audit({ action: 'adjudication.assign', entityType: 'adjudication', entityId: id, trialId, before: { assigneeId: a.assignee_id }, after: { assigneeId: userId } });
  });
  return getAdjudication(ctx, caller, trialId, id);
}
