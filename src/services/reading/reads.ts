// A reader's work on one timepoint: draft, sign (e-signature, meaning "authored"), correct (reason, new version,
// new signature; the old version stays readable). Every change is audited in its transaction (P11-AT-01);
// illegal transitions are 409 (P11-OPS-01); someone else's read does not exist for a reader (404, BL-03).
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../audit/audit-log.js';
import { recordSignature } from '../../audit/e-signature.js';
import type { Trx } from '../../db/connect.js';
import type { ReadVersionsTable, ReadsTable } from '../../db/schema.js';
import { type ReadRecord, readView } from '../../domain/blinding/projections.js';
import type { Viewer } from '../../domain/blinding/viewer.js';
import { DomainError } from '../../domain/errors.js';
import type { ReadContent } from '../../domain/reading/read-content.js';
import { reauthenticateForSigning } from '../accounts.js';
import { assertAiSourcesAreOwn } from '../segmentation/ai-sources.js';
import { type ServiceContext, inTransaction } from '../service-context.js';
import { reconcileSubject } from './adjudication.js';
import { type Caller, isCoreLab } from './caller.js';
import { assertCalipersValid } from './read-calipers.js';
import { evaluateRead, ownSignedReads } from './read-evaluation.js';
import { previousTimepointSigned } from './reader-assignment.js';
import {
  assertCharterApproved, currentVersionRow, getReadRow, lockSubject, parseContent, readRecord, readSignedContent, subjectTimepoints, trialParadigm,
} from './reading-records.js';

export type ReadView = ReturnType<typeof readView>;

/** Who sees a read, and how: its own reader (blinded), core-lab staff (full); anyone else gets 404. */
async function viewerOfRead(ctx: ServiceContext, caller: Caller, read: ReadsTable): Promise<Viewer> {
  const { paradigm } = await trialParadigm(ctx.db, read.trial_id);
  // A reader is blinded on their own read even if they also hold a staff role on the trial.
  if (read.reader_id === caller.userId && caller.trialRoles.includes('reader')) return { kind: 'reader', reveal: paradigm.reveal };
  if (isCoreLab(caller)) return { kind: 'core_lab', reveal: paradigm.reveal };
  throw new DomainError('NOT_FOUND', `read ${read.id} not found`);
}

function assertOwnRead(caller: Caller, read: ReadsTable): void {
  if (read.reader_id !== caller.userId || !caller.trialRoles.includes('reader')) throw new DomainError('NOT_FOUND', `read ${read.id} not found`);
}

async function fullRecord(ctx: ServiceContext, read: ReadsTable): Promise<ReadRecord> {
  const { paradigm } = await trialParadigm(ctx.db, read.trial_id);
  const timepoints = await subjectTimepoints(ctx.db, read.subject_id);
  const index = timepoints.findIndex((t) => t.id === read.timepoint_id);
  const previous = (await ownSignedReads(ctx.db, read, timepoints, index)).map((p) => ({
    readId: p.read.id,
    timepoint: p.timepoint,
    version: Number(p.version.version),
    content: parseContent(p.version),
  }));
  let live: ReadRecord['live'];
  const current = await currentVersionRow(ctx.db, read);
  if (current?.state === 'draft') {
    const e = await evaluateRead(ctx.db, paradigm, read, timepoints, parseContent(current));
    live = { evaluation: e.evaluation, problems: [...e.problems, ...e.overridesWithoutReason.map((c) => ({ pointer: '/responseOverrides', detail: `your ${c} response differs from the computed one: give a reason` }))] };
  }
  return readRecord(ctx.db, ctx.config.secretKey, read, { live, previous });
}

export async function getRead(ctx: ServiceContext, caller: Caller, trialId: string, readId: string): Promise<ReadView> {
  const read = await getReadRow(ctx.db, trialId, readId);
  const viewer = await viewerOfRead(ctx, caller, read);
  return readView(viewer, await fullRecord(ctx, read));
}

async function lockedRead(trx: Trx, trialId: string, readId: string): Promise<ReadsTable> {
  // Touch the row first so concurrent changes to one read serialise (PostgreSQL row lock; SQLite has one writer).
  await trx.updateTable('reads').set((eb) => ({ current_version: eb.ref('current_version') })).where('id', '=', readId).where('trial_id', '=', trialId).execute();
  return getReadRow(trx, trialId, readId);
}

async function assertMayWork(trx: Trx, read: ReadsTable): Promise<void> {
  const { trial, paradigm } = await trialParadigm(trx, read.trial_id);
  assertCharterApproved(trial);
  if (read.state === 'waiting') {
    // Re-check: the previous read may have been signed since (the state is kept current, this is belt and braces).
    const timepoints = await subjectTimepoints(trx, read.subject_id);
    const index = timepoints.findIndex((t) => t.id === read.timepoint_id);
    if (!(await previousTimepointSigned(trx, paradigm, timepoints, index, Number(read.reader_no)))) {
      throw new DomainError('CONFLICT', 'timepoints are read in order: sign the previous timepoint first');
    }
  }
}

/** Saves the reader's working copy (a draft is not yet a record: no reason needed; every save is audited). */
export async function saveDraft(ctx: ServiceContext, actor: Actor, caller: Caller, trialId: string, readId: string, content: ReadContent): Promise<ReadView> {
  await inTransaction(ctx, actor, async (trx, audit, now) => {
    const read = await lockedRead(trx, trialId, readId);
    assertOwnRead(caller, read);
    if (read.state === 'signed') throw new DomainError('CONFLICT', 'this read is signed; a change is a correction with a reason');
    await assertMayWork(trx, read);
    await assertAiSourcesAreOwn(trx, trialId, read.reader_id, content);
    await assertCalipersValid(trx, read, content);
    const at = now.toISOString();
    const current = await currentVersionRow(trx, read);
    const json = JSON.stringify(content);
    if (current?.state === 'draft') {
      await trx.updateTable('read_versions').set({ content_json: json, updated_at: at }).where('id', '=', current.id).execute();
      audit({ action: 'read.draft_save', entityType: 'read', entityId: read.id, trialId, before: parseContent(current), after: { version: Number(current.version), content } });
    } else {
      const version = Number(read.current_version) + 1;
      await trx.insertInto('read_versions').values(newVersion(read, version, json, null, caller.userId, at)).execute();
      await trx.updateTable('reads').set({ state: 'draft', current_version: version, updated_at: at }).where('id', '=', read.id).execute();
      audit({ action: 'read.draft_save', entityType: 'read', entityId: read.id, trialId, before: { state: read.state }, after: { state: 'draft', version, content } });
    }
  });
  return getRead(ctx, caller, trialId, readId);
}

function newVersion(read: ReadsTable, version: number, contentJson: string, reason: string | null, userId: string, at: string): ReadVersionsTable {
  return { id: randomUUID(), read_id: read.id, version, state: 'draft', content_json: contentJson, evaluation_json: null, reason, signature_id: null, created_by: userId, created_at: at, updated_at: at, signed_at: null };
}

/**
 * Signs a version: complete content, a valid baseline, a reason for each disagreement with the engine; the
 * engine's output is stored with the content and both are covered by the signature's SHA-256 (§11.70).
 */
async function signVersion(trx: Trx, ctx: ServiceContext, signer: { id: string; displayName: string }, read: ReadsTable, version: ReadVersionsTable, now: Date) {
  const { paradigm } = await trialParadigm(trx, read.trial_id);
  const timepoints = await subjectTimepoints(trx, read.subject_id);
  // Checked again at signing: a series may have been withdrawn from readers since the draft was saved.
  await assertCalipersValid(trx, read, parseContent(version));
  const e = await evaluateRead(trx, paradigm, read, timepoints, parseContent(version));
  if (e.overridesWithoutReason.length) {
    throw new DomainError('REASON_REQUIRED', `your ${e.overridesWithoutReason.join(' and ')} response differs from the computed one: state the reason`);
  }
  if (e.problems.length || !e.evaluation) {
    throw new DomainError('UNPROCESSABLE', `the read is not complete: ${e.problems.map((p) => `${p.pointer} ${p.detail}`).join('; ')}`, { errors: e.problems });
  }
  const at = now.toISOString();
  const signedRow: ReadVersionsTable = { ...version, evaluation_json: JSON.stringify(e.evaluation), state: 'signed', signed_at: at, updated_at: at };
  const sig = await recordSignature(
    trx,
    ctx.config.secretKey,
    { trialId: read.trial_id, entityType: 'read', entityId: read.id, recordVersion: Number(version.version), content: readSignedContent(read, signedRow), meaning: 'authored', signer: { userId: signer.id, printedName: signer.displayName } },
    now,
  );
  await trx.updateTable('read_versions').set({ evaluation_json: signedRow.evaluation_json, state: 'signed', signed_at: at, updated_at: at, signature_id: sig.id }).where('id', '=', version.id).execute();
  // The previous signed version, if any, stays readable as superseded (a correction never overwrites).
  await trx.updateTable('read_versions').set({ state: 'superseded', updated_at: at }).where('read_id', '=', read.id).where('state', '=', 'signed').where('id', '!=', version.id).execute();
  await trx.updateTable('reads').set({ state: 'signed', current_version: Number(version.version), signed_at: at, updated_at: at }).where('id', '=', read.id).execute();
  return { sig, evaluation: e.evaluation };
}

/** Opens the reader's next timepoint once this one is signed (BL-06). */
async function openNext(trx: Trx, read: ReadsTable, audit: (r: import('../../audit/audit-log.js').AuditRecord) => void, at: string) {
  const { paradigm } = await trialParadigm(trx, read.trial_id);
  const timepoints = await subjectTimepoints(trx, read.subject_id);
  const waiting = await trx.selectFrom('reads').selectAll().where('subject_id', '=', read.subject_id).where('reader_no', '=', Number(read.reader_no)).where('state', '=', 'waiting').execute();
  for (const w of waiting) {
    const index = timepoints.findIndex((t) => t.id === w.timepoint_id);
    if (await previousTimepointSigned(trx, paradigm, timepoints, index, Number(w.reader_no))) {
      await trx.updateTable('reads').set({ state: 'open', updated_at: at }).where('id', '=', w.id).execute();
      audit({ action: 'read.open', entityType: 'read', entityId: w.id, trialId: w.trial_id, before: { state: 'waiting' }, after: { state: 'open' } });
    }
  }
}

export async function signRead(ctx: ServiceContext, actor: Actor, caller: Caller, trialId: string, readId: string, password: string | undefined): Promise<ReadView> {
  const probe = await getReadRow(ctx.db, trialId, readId);
  assertOwnRead(caller, probe);
  const signer = await reauthenticateForSigning(ctx, actor, caller.userId, password);
  await inTransaction(ctx, actor, async (trx, audit, now) => {
    await lockSubject(trx, probe.subject_id);
    const read = await lockedRead(trx, trialId, readId);
    if (read.state === 'signed') throw new DomainError('CONFLICT', 'this read is already signed; a change is a correction with a reason');
    await assertMayWork(trx, read);
    if (read.state !== 'draft') throw new DomainError('CONFLICT', 'there is nothing to sign: save the read first');
    const version = (await currentVersionRow(trx, read))!;
    const { sig, evaluation } = await signVersion(trx, ctx, signer, read, version, now);
    audit({ action: 'read.sign', entityType: 'read', entityId: read.id, trialId, before: { state: 'draft' }, after: { state: 'signed', version: Number(version.version), signatureId: sig.id, responses: evaluation.timepoint.responses } });
    audit({ action: 'signature.create', entityType: 'signature', entityId: sig.id, trialId, after: sig });
    await openNext(trx, read, audit, now.toISOString());
    await reconcileSubject(trx, ctx, read.subject_id, now, audit);
  });
  return getRead(ctx, caller, trialId, readId);
}

/** Correction of a signed read: a reason, a new version signed anew; the old one stays visible (BL-06, P11-AT-02). */
export async function correctRead(
  ctx: ServiceContext,
  actor: Actor,
  caller: Caller,
  trialId: string,
  readId: string,
  input: { reason?: string; content: ReadContent; password?: string },
): Promise<ReadView> {
  const probe = await getReadRow(ctx.db, trialId, readId);
  assertOwnRead(caller, probe);
  if (!input.reason?.trim()) throw new DomainError('REASON_REQUIRED', 'correcting a signed read requires a reason');
  const signer = await reauthenticateForSigning(ctx, actor, caller.userId, input.password);
  await inTransaction(ctx, actor, async (trx, audit, now) => {
    await lockSubject(trx, probe.subject_id);
    const read = await lockedRead(trx, trialId, readId);
    if (read.state !== 'signed') throw new DomainError('CONFLICT', 'only a signed read is corrected; a draft is simply saved again');
    const { trial } = await trialParadigm(trx, trialId);
    assertCharterApproved(trial);
    const before = (await currentVersionRow(trx, read))!;
    await assertLesionSetKept(trx, read, parseContent(before), input.content);
    await assertAiSourcesAreOwn(trx, trialId, read.reader_id, input.content);
    const version = Number(read.current_version) + 1;
    const row = newVersion(read, version, JSON.stringify(input.content), input.reason!.trim(), caller.userId, now.toISOString());
    await trx.insertInto('read_versions').values(row).execute();
    const { sig, evaluation } = await signVersion(trx, ctx, signer, read, row, now);
    audit({
      action: 'read.correct',
      entityType: 'read',
      entityId: read.id,
      trialId,
      before: { version: Number(before.version), content: parseContent(before) },
      after: { version, content: input.content, signatureId: sig.id, responses: evaluation.timepoint.responses },
      reason: input.reason!.trim(),
    });
    audit({ action: 'signature.create', entityType: 'signature', entityId: sig.id, trialId, after: sig });
    await reconcileSubject(trx, ctx, read.subject_id, now, audit);
  });
  return getRead(ctx, caller, trialId, readId);
}

/**
 * Later timepoints assess the baseline's lesions by id: while the reader has read a later timepoint, a baseline
 * correction may change measurements and descriptions but not which lesions were chosen.
 */
async function assertLesionSetKept(trx: Trx, read: ReadsTable, before: ReadContent, after: ReadContent): Promise<void> {
  const timepoints = await subjectTimepoints(trx, read.subject_id);
  if (timepoints[0]?.id !== read.timepoint_id) return;
  const later = await trx.selectFrom('reads').select('id').where('subject_id', '=', read.subject_id).where('reader_no', '=', Number(read.reader_no)).where('current_version', '>', 0).where('id', '!=', read.id).executeTakeFirst();
  if (!later) return;
  const ids = (c: ReadContent) => JSON.stringify([c.targets.map((t) => t.id).sort(), c.nonTargets.map((t) => t.id).sort()]);
  if (ids(before) !== ids(after)) {
    throw new DomainError('CONFLICT', 'later timepoints assess these baseline lesions: a baseline correction keeps the same target and non-target lesions');
  }
}
