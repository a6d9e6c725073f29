// Loads the reading records the blinding view layer projects: subjects, timepoints with blinded labels, reads
// with their versions and checked signatures. Full records: projection happens in src/domain/blinding.
import { checkSignature, findSignatures } from '../../audit/e-signature.js';
import type { DbOrTrx, Trx } from '../../db/connect.js';
import type { ReadVersionsTable, ReadsTable, TimepointsTable, TrialsTable } from '../../db/schema.js';
import type { ReadRecord, ReadVersionRecord, SignatureRecord, StoredEvaluation, SubjectRecord, TimepointRecord } from '../../domain/blinding/projections.js';
import { blindedLabels } from '../../domain/blinding/timepoint-labels.js';
import { DomainError } from '../../domain/errors.js';
import { type ReadingParadigm, readingParadigmOf } from '../../domain/reading/paradigm.js';
import type { ReadContent } from '../../domain/reading/read-content.js';

export async function trialParadigm(db: DbOrTrx, trialId: string): Promise<{ trial: TrialsTable; paradigm: ReadingParadigm }> {
  const trial = await db.selectFrom('trials').selectAll().where('id', '=', trialId).executeTakeFirst();
  if (!trial) throw new DomainError('NOT_FOUND', `trial ${trialId} not found`);
  return { trial, paradigm: readingParadigmOf(JSON.parse(trial.protocol_json)) };
}

/** BL-08: no read starts, is signed or corrected, and nothing is adjudicated under an unapproved charter. */
export function assertCharterApproved(trial: TrialsTable): void {
  if (!trial.protocol_approved_at) throw new DomainError('CONFLICT', 'the trial charter is not approved yet; reading starts after its approval');
}

/** The scan date the engine uses: acquisition date, else the scheduled date. Never shown to blinded viewers. */
export const scanDateOf = (t: TimepointsTable): string | null => t.acquired_on ?? t.scheduled_on;

export async function subjectTimepoints(db: DbOrTrx, subjectId: string): Promise<TimepointRecord[]> {
  const rows = await db.selectFrom('timepoints').selectAll().where('subject_id', '=', subjectId).orderBy('visit_num').execute();
  const labels = blindedLabels(rows.map((r) => ({ id: r.id, visitNum: Number(r.visit_num) })));
  return rows.map((r) => ({
    id: r.id,
    blindedLabel: labels.get(r.id)!,
    visitCode: r.visit_code,
    visitLabel: r.label,
    visitNum: Number(r.visit_num),
    scanDate: scanDateOf(r),
    state: r.state,
  }));
}

export async function subjectRecord(db: DbOrTrx, subjectId: string): Promise<SubjectRecord> {
  const s = await db
    .selectFrom('subjects')
    .innerJoin('sites', 'sites.id', 'subjects.site_id')
    .select(['subjects.id', 'subjects.trial_id', 'subjects.subject_code', 'subjects.site_id', 'sites.name as site_name'])
    .where('subjects.id', '=', subjectId)
    .executeTakeFirstOrThrow();
  return { id: s.id, trialId: s.trial_id, subjectCode: s.subject_code, siteId: s.site_id, siteName: s.site_name };
}

export const parseContent = (v: ReadVersionsTable): ReadContent => JSON.parse(v.content_json);
export const parseEvaluation = (v: ReadVersionsTable): StoredEvaluation | null => (v.evaluation_json ? JSON.parse(v.evaluation_json) : null);

/** What a reader's signature on a read version covers (§11.70: bound to this content and version). */
export function readSignedContent(read: ReadsTable, v: ReadVersionsTable) {
  return {
    kind: 'read',
    readId: read.id,
    trialId: read.trial_id,
    subjectId: read.subject_id,
    timepointId: read.timepoint_id,
    readerNo: Number(read.reader_no),
    readerId: read.reader_id,
    version: Number(v.version),
    content: parseContent(v),
    evaluation: parseEvaluation(v),
    reason: v.reason,
  };
}

export async function checkedSignature(db: DbOrTrx, key: Buffer, entityType: string, entityId: string, signatureId: string | null, content: unknown): Promise<SignatureRecord | null> {
  if (!signatureId) return null;
  const row = (await findSignatures(db, entityType, entityId)).find((s) => s.id === signatureId);
  if (!row) return null;
  const c = checkSignature(key, row, content);
  return { ...c.signature, authentic: c.authentic, matchesRecord: c.matchesRecord, manifestation: c.manifestation };
}

export async function readVersions(db: DbOrTrx, key: Buffer, read: ReadsTable): Promise<ReadVersionRecord[]> {
  const rows = await db.selectFrom('read_versions').selectAll().where('read_id', '=', read.id).orderBy('version').execute();
  const out: ReadVersionRecord[] = [];
  for (const v of rows) {
    out.push({
      version: Number(v.version),
      state: v.state,
      content: parseContent(v),
      evaluation: parseEvaluation(v),
      reason: v.reason,
      signature: await checkedSignature(db, key, 'read', read.id, v.signature_id, readSignedContent(read, v)),
      createdAt: v.created_at,
      updatedAt: v.updated_at,
      signedAt: v.signed_at,
    });
  }
  return out;
}

export async function getReadRow(db: DbOrTrx, trialId: string, readId: string): Promise<ReadsTable> {
  const row = await db.selectFrom('reads').selectAll().where('id', '=', readId).where('trial_id', '=', trialId).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `read ${readId} not found`);
  return row;
}

export async function currentVersionRow(db: DbOrTrx, read: ReadsTable): Promise<ReadVersionsTable | undefined> {
  return db.selectFrom('read_versions').selectAll().where('read_id', '=', read.id).where('version', '=', Number(read.current_version)).executeTakeFirst();
}

export async function readRecord(db: DbOrTrx, key: Buffer, read: ReadsTable, extras: Pick<ReadRecord, 'live' | 'previous'> = {}): Promise<ReadRecord> {
  const timepoints = await subjectTimepoints(db, read.subject_id);
  const reader = await db.selectFrom('users').select('display_name').where('id', '=', read.reader_id).executeTakeFirstOrThrow();
  return {
    id: read.id,
    trialId: read.trial_id,
    subject: await subjectRecord(db, read.subject_id),
    timepoint: timepoints.find((t) => t.id === read.timepoint_id)!,
    readerNo: Number(read.reader_no),
    readerId: read.reader_id,
    readerName: reader.display_name,
    state: read.state,
    dueOn: read.due_on,
    currentVersion: Number(read.current_version),
    createdAt: read.created_at,
    updatedAt: read.updated_at,
    signedAt: read.signed_at,
    versions: await readVersions(db, key, read),
    ...extras,
  };
}

export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);
export const dueOn = (now: Date, days: number): string => isoDate(new Date(now.getTime() + days * 86_400_000));

/**
 * Serialises changes to one subject's reading (PostgreSQL row lock, held to commit; SQLite has one writer):
 * when both readers sign at the same moment, the second transaction sees the first's signature, so the
 * adjudication triggers are never evaluated on a stale pair.
 */
export async function lockSubject(trx: Trx, subjectId: string): Promise<void> {
  await trx.updateTable('subjects').set((eb) => ({ status: eb.ref('status') })).where('id', '=', subjectId).execute();
}
