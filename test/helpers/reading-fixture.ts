// A trial ready for blinded central review, driven through the real services: charter (optionally varied),
// approval with an e-signature, readers and adjudicators, subjects and timepoints, and QC release through
// onTimepointReleased (ingest's QC release will call it; there is no HTTP QC route from reading).
import { createHash } from 'node:crypto';
import type { Actor } from '../../src/audit/audit-log.js';
import type { User } from '../../src/services/accounts.js';
import { decideAdjudication } from '../../src/services/reading/adjudication.js';
import { assignReaders, onTimepointReleased } from '../../src/services/reading/reader-assignment.js';
import { saveDraft, signRead } from '../../src/services/reading/reads.js';
import { SYSTEM_ACTOR, inTransaction } from '../../src/services/service-context.js';
import { approveProtocol, createTimepoint, enrollSubject } from '../../src/services/trials.js';
import type { ReadContent } from '../../src/domain/reading/read-content.js';
import { TEST_PASSWORD, type TestPlatform, grant, seedTrial, seedUser } from './test-platform.js';

export interface ReadingTrial {
  trialId: string;
  siteId: string;
  admin: User;
  readers: User[];
  adjudicators: User[];
  tokens: Record<string, string>;
}

/** Charter edits apply to the trial's snapshot before approval (a trial with its own reading paradigm). */
export async function setupReadingTrial(
  p: TestPlatform,
  opts: { code: string; readers?: number; adjudicators?: number; reading?: (reading: Record<string, any>) => void; approve?: boolean; siteName?: string; usernames?: { readers?: string[]; adjudicators?: string[] } },
): Promise<ReadingTrial> {
  const { trial, siteId } = await seedTrial(p, opts.code);
  if (opts.siteName) await p.ctx.db.updateTable('sites').set({ name: opts.siteName }).where('id', '=', siteId).execute();
  if (opts.reading) {
    const doc = JSON.parse((await p.ctx.db.selectFrom('trials').select('protocol_json').where('id', '=', trial.id).executeTakeFirstOrThrow()).protocol_json);
    opts.reading(doc.reading);
    const json = JSON.stringify(doc);
    await p.ctx.db.updateTable('trials').set({ protocol_json: json, protocol_sha256: createHash('sha256').update(json).digest('hex') }).where('id', '=', trial.id).execute();
  }
  const tag = opts.code.toLowerCase().replace(/[^a-z0-9]/g, '');
  const admin = await seedUser(p, `adm-${tag}`, { admin: true, verified: true });
  const mk = async (role: 'reader' | 'adjudicator', n: number, names?: string[]) => {
    const out: User[] = [];
    for (let i = 0; i < n; i++) {
      const u = await seedUser(p, names?.[i] ?? `${role === 'reader' ? 'rd' : 'adj'}${i + 1}-${tag}`, { verified: true });
      await grant(p, trial.id, u.id, role);
      out.push(u);
    }
    return out;
  };
  const readers = await mk('reader', opts.readers ?? 2, opts.usernames?.readers);
  const adjudicators = await mk('adjudicator', opts.adjudicators ?? 1, opts.usernames?.adjudicators);
  if (opts.approve !== false) {
    const actor: Actor = { userId: admin.id, name: admin.displayName, role: 'admin' };
    await approveProtocol(p.ctx, actor, trial.id, TEST_PASSWORD);
  }
  const tokens: Record<string, string> = {};
  for (const u of [admin, ...readers, ...adjudicators]) tokens[u.id] = await p.login(u.username);
  return { trialId: trial.id, siteId, admin, readers, adjudicators, tokens };
}

export interface Visit { visitCode: string; label: string; visitNum: number; acquiredOn: string }

export const STANDARD_VISITS: Visit[] = [
  { visitCode: 'BASELINE', label: 'Baseline', visitNum: 1, acquiredOn: '2024-01-08' },
  { visitCode: 'WK8', label: 'Week 8', visitNum: 2, acquiredOn: '2024-03-04' },
  { visitCode: 'WK16', label: 'Week 16', visitNum: 3, acquiredOn: '2024-04-29' },
];

export async function addSubject(p: TestPlatform, t: ReadingTrial, subjectCode: string, visits: Visit[] = STANDARD_VISITS): Promise<{ subjectId: string; timepointIds: string[] }> {
  const subject = await enrollSubject(p.ctx, SYSTEM_ACTOR, t.trialId, { siteId: t.siteId, subjectCode });
  const timepointIds: string[] = [];
  for (const v of visits) {
    const tp = await createTimepoint(p.ctx, SYSTEM_ACTOR, t.trialId, subject.id, { visitCode: v.visitCode, visitNum: v.visitNum, label: v.label });
    await p.ctx.db.updateTable('timepoints').set({ acquired_on: v.acquiredOn }).where('id', '=', tp.id).execute();
    timepointIds.push(tp.id);
  }
  return { subjectId: subject.id, timepointIds };
}

/** QC releases a timepoint: the state changes and reading tasks are created in the same transaction. */
export async function releaseTimepoint(p: TestPlatform, timepointId: string): Promise<void> {
  const qc: Actor = { userId: null, name: 'QC release (test)', role: 'qc' };
  await inTransaction(p.ctx, qc, async (trx, audit, now) => {
    await trx.updateTable('timepoints').set({ state: 'released', updated_at: now.toISOString() }).where('id', '=', timepointId).execute();
    audit({ action: 'timepoint.release', entityType: 'timepoint', entityId: timepointId, after: { state: 'released' } });
    await onTimepointReleased(trx, p.ctx, timepointId, now);
  });
}

/** The read of a timepoint for reader 1 or 2 (test lookup; a reader finds theirs through GET /me/tasks). */
export async function readIdOf(p: TestPlatform, timepointId: string, readerNo: 1 | 2): Promise<string> {
  return (await p.ctx.db.selectFrom('reads').select('id').where('timepoint_id', '=', timepointId).where('reader_no', '=', readerNo).executeTakeFirstOrThrow()).id;
}

export async function readerOf(p: TestPlatform, subjectId: string, readerNo: 1 | 2): Promise<string> {
  return (await p.ctx.db.selectFrom('reader_assignments').select('user_id').where('subject_id', '=', subjectId).where('reader_no', '=', readerNo).executeTakeFirstOrThrow()).user_id;
}

// ---- read content builders ----------------------------------------------------------------------------------

export const manual = (mm: number) => ({ finalMm: mm, decision: 'manual' as const });
export const AI_SOURCE = { modelId: 'lesion-seg', version: '1.0.0', sha256: 'a'.repeat(64) };

export function baseline(targets: Array<[id: string, organ: string, mm: number]>, nonTargets: Array<[id: string, organ: string]> = [], extra: Partial<ReadContent> = {}): ReadContent {
  return {
    imaging: { modality: 'CT', sliceThicknessMm: 5 },
    targets: targets.map(([id, organ, mm]) => ({ id, organ, location: `${organ} lesion ${id}`, nodal: false, measurement: manual(mm) })),
    nonTargets: nonTargets.map(([id, organ]) => ({ id, organ, location: `${organ} ${id}`, nodal: false })),
    ...extra,
  };
}

export function followup(targets: Array<[id: string, mm: number]>, nonTargets: Array<[id: string, status: 'present' | 'absent' | 'unequivocal_progression']> = [], extra: Partial<ReadContent> = {}): ReadContent {
  return {
    targets: targets.map(([id, mm]) => ({ id, status: 'measured' as const, measurement: manual(mm) })),
    nonTargets: nonTargets.map(([id, status]) => ({ id, status })),
    newLesions: [],
    ...extra,
  };
}

// ---- one subject at a chosen stage of reading, for tests that need a read or an adjudication to point at ------

export type ReadingStage = 'open' | 'draft' | 'signed' | 'adjudication' | 'adjudicated';

export interface ReadingCase { subjectId: string; timepointIds: string[]; readId: string; adjudicationId?: string }

/**
 * A subject of an existing trial whose readers are `reader1` and `reader2`, taken to `stage`: reader 1's
 * baseline read open, drafted or signed; or both readers through TP1 with discordant responses, which opens an
 * adjudication (assigned to the trial's least-loaded adjudicator), optionally decided by `adjudicator`.
 */
export async function seedReadingCase(
  p: TestPlatform,
  opts: { trialId: string; siteId: string; approverId: string; reader1: string; reader2: string; stage: ReadingStage; adjudicator?: string },
): Promise<ReadingCase> {
  const trial = await p.ctx.db.selectFrom('trials').select('protocol_approved_at').where('id', '=', opts.trialId).executeTakeFirstOrThrow();
  if (!trial.protocol_approved_at) await approveProtocol(p.ctx, { userId: opts.approverId, name: 'approver', role: 'admin' }, opts.trialId, TEST_PASSWORD);
  const code = `RC-${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
  const subject = await enrollSubject(p.ctx, SYSTEM_ACTOR, opts.trialId, { siteId: opts.siteId, subjectCode: code });
  const timepointIds: string[] = [];
  for (const v of STANDARD_VISITS.slice(0, 2)) {
    const tp = await createTimepoint(p.ctx, SYSTEM_ACTOR, opts.trialId, subject.id, { visitCode: v.visitCode, visitNum: v.visitNum, label: v.label });
    await p.ctx.db.updateTable('timepoints').set({ acquired_on: v.acquiredOn }).where('id', '=', tp.id).execute();
    timepointIds.push(tp.id);
  }
  await assignReaders(p.ctx, SYSTEM_ACTOR, opts.trialId, subject.id, [opts.reader1, opts.reader2]);
  await releaseTimepoint(p, timepointIds[0]);
  const readId = await readIdOf(p, timepointIds[0], 1);
  const as = (userId: string) => ({ actor: { userId, name: 'reader', role: 'reader' } as Actor, caller: { userId, isAdmin: false, trialRoles: ['reader' as const] } });
  const work = async (userId: string, tp: string, no: 1 | 2, content: ReadContent, sign: boolean) => {
    const id = await readIdOf(p, tp, no);
    const { actor, caller } = as(userId);
    await saveDraft(p.ctx, actor, caller, opts.trialId, id, content);
    if (sign) await signRead(p.ctx, actor, caller, opts.trialId, id, TEST_PASSWORD);
  };
  const b = baseline([['T1', 'liver', 40]]);
  if (opts.stage === 'open') return { subjectId: subject.id, timepointIds, readId };
  await work(opts.reader1, timepointIds[0], 1, b, opts.stage !== 'draft');
  if (opts.stage === 'draft' || opts.stage === 'signed') return { subjectId: subject.id, timepointIds, readId };
  await work(opts.reader2, timepointIds[0], 2, b, true);
  await releaseTimepoint(p, timepointIds[1]);
  await work(opts.reader1, timepointIds[1], 1, followup([['T1', 20]]), true); // PR
  await work(opts.reader2, timepointIds[1], 2, followup([['T1', 38]]), true); // SD
  const adj = await p.ctx.db.selectFrom('adjudications').select(['id', 'assignee_id']).where('subject_id', '=', subject.id).where('state', '=', 'open').executeTakeFirstOrThrow();
  if (opts.stage === 'adjudicated') {
    const userId = opts.adjudicator ?? adj.assignee_id!;
    await decideAdjudication(p.ctx, { userId, name: 'adjudicator', role: 'adjudicator' }, { userId, isAdmin: false, trialRoles: ['adjudicator'] }, opts.trialId, adj.id, { chosenReaderNo: 1, rationale: 'reader 1 measured the right lesion', cause: 'measurement', password: TEST_PASSWORD });
  }
  return { subjectId: subject.id, timepointIds, readId, adjudicationId: adj.id };
}
