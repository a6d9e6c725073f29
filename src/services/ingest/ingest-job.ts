import { randomUUID } from 'node:crypto';
import { readdir, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { AssemblyRef, PrepareResult, PreparedInstance, SeriesGeometry } from '../../../workers/ingest.js';
import type { AuditRecord } from '../../audit/audit-log.js';
import type { Trx } from '../../db/connect.js';
import type { InstancesTable, SeriesTable, StudiesTable } from '../../db/schema.js';
import type { JobHandler, JobTools } from '../../jobs/job-runner.js';
import type { Job } from '../../jobs/job-queue.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { isStorageFull } from '../../storage/storage-full.js';
import { DomainError } from '../../domain/errors.js';
import type { ServiceContext } from '../service-context.js';
import { arrivalPreparation, deidentifiedCopyPath, uploadDeidentification } from './arrival-preparation.js';
import { type FileOutcome, getUploadRow } from './uploads.js';
import { collectStaleStaging, stagingDir } from './upload-staging.js';
import type { ReleaseHook } from './qc-review.js';
import { evaluateTimepointQc } from './timepoint-qc.js';

interface Candidate {
  ordinal: number;
  entry?: string;
  deidPath: string;
  prepared: PreparedInstance;
  /** assigned before the commit so volume assembly can name the instance */
  instanceId: string;
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the input order in the result. */
async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i], i);
      }
    }),
  );
  return out;
}

/**
 * Ingest of one upload. Every file is parsed and de-identified in the pool (in parallel, bounded by the pool's
 * threads); batch rules are checked before anything is stored (one patient per upload, one study per series);
 * the de-identified bytes are moved into the content-addressed store (durable: fsync, rename, fsync of the
 * directory); volumes are assembled from headers in the pool; then ONE transaction writes every index row, the
 * ledger, the audit events, the QC result and the upload's outcome, and finishes the job. A process killed at any
 * point before that commit leaves no index row (blobs without a row are invisible to everyone), and the re-run
 * does the whole ingest again: blobs are content-addressed, and nothing else was written.
 */
export function ingestJobHandler(blobs: BlobStore, onReleased?: ReleaseHook): JobHandler {
  let collected = false;
  return async (job: Job, tools: JobTools) => {
    const { ctx } = tools;
    // The first ingest of this process collects what killed requests and jobs left in staging.
    if (!collected) {
      collected = true;
      await collectStaleStaging(ctx.db, ctx.config.dataDir, ctx.now());
    }
    const started = performance.now();
    const timings: Record<string, number> = {};
    const lap = (name: string, since: number) => (timings[name] = Math.round(performance.now() - since));
    const uploadId = String(job.payload.uploadId);
    const upload = await getUploadRow(ctx.db, job.trialId!, uploadId);
    const subject = await ctx.db.selectFrom('subjects').selectAll().where('id', '=', upload.subject_id!).executeTakeFirstOrThrow();
    const timepoint = await ctx.db.selectFrom('timepoints').selectAll().where('id', '=', upload.timepoint_id!).executeTakeFirstOrThrow();
    const { context, options, fingerprint } = await uploadDeidentification(ctx, upload);
    const files = await ctx.db.selectFrom('upload_files').selectAll().where('upload_id', '=', uploadId).orderBy('ordinal').execute();
    const dir = stagingDir(ctx.config.dataDir, uploadId);
    const parallel = Math.max(1, tools.pools.maxThreads) * 2;
    try {
      await ingestStaged();
    } catch (e) {
      // Out of space: give back what this attempt wrote (extracted entries, de-identified copies; the sponsor's
      // files stay), so the space is free for the retry, which the runner schedules without spending an attempt.
      if (isStorageFull(e)) await discardDerivedFiles(dir, new Set(files.map((f) => f.id)));
      throw e;
    }

    async function ingestStaged(): Promise<void> {
      // 0. The de-identified copies need about as much space as the files themselves: fail fast (no pool work) when
      //    the data folder cannot hold them.
      await requireFreeSpace(dir, files.reduce((n, f) => n + Number(f.bytes), 0));

      // 1. Zips are extracted in the pool under server-chosen names; a refused archive contributes nothing.
      let t = performance.now();
      const outcomes: FileOutcome[] = [];
      // sha256: the uploaded file's (a zip's entries have none), which the worker checks the staged bytes against
      const sources: Array<{ ordinal: number; path: string; entry?: string; sha256?: string; prepared?: string | null }> = [];
      for (const f of files) {
        if (f.content_type !== 'application/zip') {
          sources.push({ ordinal: f.ordinal, path: path.join(dir, f.id), sha256: f.sha256, prepared: f.prepared_json });
          continue;
        }
        const r = await tools.pools.run<Array<{ path: string; entry: string }> | { error: string; storageFull?: true }>('ingest', { zipPath: path.join(dir, f.id), outDir: dir, limits: ctx.config.upload }, { name: 'extractZip', signal: tools.signal });
        if ('error' in r && r.storageFull) throw new DomainError('INSUFFICIENT_STORAGE', `${OUT_OF_SPACE} (${r.error})`);
        if ('error' in r) outcomes.push({ ordinal: f.ordinal, outcome: 'refused', reason: r.error });
        else for (const e of r) sources.push({ ordinal: f.ordinal, path: e.path, entry: e.entry });
      }
      lap('extract', t);

      // 2. Parse, check and de-identify every file in the pool, unless that was done as the file arrived.
      t = performance.now();
      let done = 0;
      let reused = 0;
      const prepared = await inParallel(sources, parallel, async (src) => {
        const deidPath = deidentifiedCopyPath(src.path);
        const early = await arrivalPreparation(src.prepared ?? null, src.path, fingerprint);
        if (early) reused += 1;
        const r = early ?? await tools.pools.run<PrepareResult>('ingest', { path: src.path, outPath: deidPath, context, options, verifySha256: src.sha256 }, { name: 'prepareDicom', signal: tools.signal });
        done += 1;
        if (done % 50 === 0) await tools.progress((0.7 * done) / sources.length);
        return { src, deidPath, r };
      });
      const full = prepared.find(({ r }) => !r.ok && r.storageFull);
      if (full && !full.r.ok) throw new DomainError('INSUFFICIENT_STORAGE', `${OUT_OF_SPACE} (${full.r.reason})`);
      const candidates: Candidate[] = [];
      for (const { src, deidPath, r } of prepared) {
        if (r.ok) candidates.push({ ordinal: src.ordinal, entry: src.entry, deidPath, prepared: r, instanceId: randomUUID() });
        else outcomes.push({ ordinal: src.ordinal, entry: src.entry, outcome: 'refused', reason: r.reason });
      }
      lap('prepare', t);

      // 3. Batch rules (DEID-04): one patient per upload; a series belongs to one study. Then index decisions,
      //    made against what is already stored: duplicates, studies and series that belong elsewhere.
      t = performance.now();
      const batchRefusal = checkBatch(candidates);
      if (batchRefusal) for (const c of candidates) outcomes.push({ ordinal: c.ordinal, entry: c.entry, outcome: 'refused', reason: batchRefusal });
      const plan = batchRefusal ? emptyPlan() : await planIndex(ctx, job.trialId!, subject.id, timepoint.id, candidates);
      outcomes.push(...plan.outcomes);
      lap('plan', t);

      // 4. Blobs: the de-identified files move into the content-addressed store, durably, before any row names them.
      t = performance.now();
      // Same file system as the store (both under DATA_DIR): a rename, no byte copied. The worker hashed and fsynced
    // each file; adopt() renames it into place and fsyncs the directory before any row names it.
    await inParallel(plan.store, 8, (c) => blobs.adopt(c.deidPath, c.prepared.sha256));
      lap('store', t);
      await tools.progress(0.85);

      // 5. Volumes are assembled in the pool from headers (new instances) and stored blobs (earlier uploads).
      t = performance.now();
      const assembled = new Map<string, SeriesGeometry | { error: string }>();
      for (const [seriesUid, members] of plan.seriesMembers) {
        const refs: AssemblyRef[] = members.filter((c) => !c.prepared.quarantine).map((c) => ({ instanceId: c.instanceId, header: c.prepared.header }));
        const existing = plan.existingSeries.get(seriesUid);
        if (existing) {
          const rows = await ctx.db.selectFrom('instances').select(['id', 'blob_sha256']).where('series_id', '=', existing.id).where('quarantine_reason', 'is', null).execute();
          refs.push(...rows.map((i) => ({ instanceId: i.id, path: blobs.pathOf(i.blob_sha256) })));
        }
        if (refs.length === 0) continue;
        assembled.set(seriesUid, await tools.pools.run<SeriesGeometry | { error: string }>('ingest', { instances: refs }, { name: 'assembleSeries', signal: tools.signal }));
      }
      lap('assemble', t);
      await tools.progress(0.95);

      // 6. One transaction: index rows, ledger, audit events, QC, quarantine query, upload outcome, job finished.
      t = performance.now();
      await tools.commit(async (trx, audit, now) => {
        const at = now.toISOString();
        const seriesIds = await writeIndex(trx, job.trialId!, upload.id, subject.id, timepoint.id, plan, audit, at);
        const byId = new Map<string, SeriesGeometry | { error: string }>();
        for (const [uid, g] of assembled) byId.set(seriesIds.get(uid)!, g);
        for (const o of outcomes) if (o.sopInstanceUid && !o.seriesId) o.seriesId = plan.seriesOfSop.get(o.sopInstanceUid) ? seriesIds.get(plan.seriesOfSop.get(o.sopInstanceUid)!) : undefined;
        // QC judges the visit only when this upload stored something; a refused upload changes nothing.
        const qc = plan.store.length > 0 ? await evaluateTimepointQc(trx, ctx, timepoint.id, byId, audit, now, onReleased) : null;
        const quarantined = outcomes.filter((o) => o.outcome === 'quarantined');
        if (quarantined.length > 0) await openQuarantineQuery(trx, audit, upload.trial_id, timepoint.id, timepoint.label, quarantined, at);
        const ingested = outcomes.filter((o) => o.outcome === 'ingested' || o.outcome === 'quarantined').length;
        const state = ingested > 0 || outcomes.some((o) => o.outcome === 'duplicate') ? 'completed' : 'failed';
        outcomes.sort((a, b) => a.ordinal - b.ordinal || (a.entry ?? '').localeCompare(b.entry ?? ''));
        await trx.updateTable('uploads').set({ state, outcome_json: JSON.stringify(outcomes), updated_at: at }).where('id', '=', upload.id).execute();
        // the preparations have served: the ledger keeps what of them lasts
        await trx.updateTable('upload_files').set({ prepared_json: null }).where('upload_id', '=', upload.id).execute();
        audit({ action: 'upload.ingest', entityType: 'upload', entityId: upload.id, trialId: upload.trial_id, after: { state, counts: countOutcomes(outcomes), qc: qc?.outcome ?? null } });
        timings.total = Math.round(performance.now() - started);
        return { state, counts: countOutcomes(outcomes), qc, timingsMs: timings, preparedOnArrival: reused };
      });
      lap('commit', t);
      await rm(dir, { recursive: true, force: true });
    }
  };
}

const OUT_OF_SPACE = 'the data folder ran out of space while de-identifying this upload; nothing was indexed, and the ingest resumes once space is freed';

/** Refuses to start when the file system holding `dir` has less than `bytes` free (plus a small margin). */
async function requireFreeSpace(dir: string, bytes: number): Promise<void> {
  const fs = await statfs(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  const needed = bytes + 1024 * 1024;
  if (free < needed) {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    throw new DomainError('INSUFFICIENT_STORAGE', `de-identifying this upload needs about ${mb(needed)} MB in the data folder and ${mb(free)} MB are free; nothing was indexed, and the ingest resumes once space is freed`);
  }
}

/** Removes what an ingest attempt derived in the staging folder, keeping the uploaded files themselves. */
async function discardDerivedFiles(dir: string, uploaded: Set<string>): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => !uploaded.has(n)).map((n) => rm(path.join(dir, n), { force: true })));
}

function countOutcomes(o: FileOutcome[]): Record<string, number> {
  const counts: Record<string, number> = { ingested: 0, duplicate: 0, quarantined: 0, refused: 0 };
  for (const x of o) counts[x.outcome] += 1;
  return counts;
}

function checkBatch(c: Candidate[]): string | null {
  const patients = new Set(c.map((x) => x.prepared.patientIdDigest ?? 'none'));
  if (patients.size > 1) return `the upload mixes ${patients.size} patients (different Patient IDs); send one subject's images per upload`;
  const studyOfSeries = new Map<string, string>();
  for (const x of c) {
    const s = x.prepared.seriesInstanceUid ?? '';
    const st = x.prepared.studyInstanceUid ?? '';
    if (studyOfSeries.has(s) && studyOfSeries.get(s) !== st) return 'a series spans two studies (same Series Instance UID with different Study Instance UIDs)';
    studyOfSeries.set(s, st);
  }
  return null;
}

interface IndexPlan {
  /** instances to store, in upload order */
  store: Candidate[];
  outcomes: FileOutcome[];
  /** de-identified series UID -> the new instances of it */
  seriesMembers: Map<string, Candidate[]>;
  existingSeries: Map<string, SeriesTable>;
  existingStudies: Map<string, StudiesTable>;
  /** de-identified SOP UID -> series UID, for outcomes */
  seriesOfSop: Map<string, string>;
}

const emptyPlan = (): IndexPlan => ({ store: [], outcomes: [], seriesMembers: new Map(), existingSeries: new Map(), existingStudies: new Map(), seriesOfSop: new Map() });

const chunks = <T>(a: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(a.length / n) }, (_, i) => a.slice(i * n, i * n + n));

/** Decides, per instance, stored / duplicate / refused against the index, without writing anything. */
async function planIndex(ctx: ServiceContext, trialId: string, subjectId: string, timepointId: string, candidates: Candidate[]): Promise<IndexPlan> {
  const plan = emptyPlan();
  const sops = [...new Set(candidates.map((c) => c.prepared.sopInstanceUid))];
  const known = new Set<string>();
  for (const part of chunks(sops, 500)) {
    for (const r of await ctx.db.selectFrom('instances').select('sop_instance_uid').where('trial_id', '=', trialId).where('sop_instance_uid', 'in', part).execute()) known.add(r.sop_instance_uid);
  }
  const studyUids = [...new Set(candidates.map((c) => c.prepared.studyInstanceUid ?? `missing-${c.prepared.sopInstanceUid}`))];
  for (const part of chunks(studyUids, 500)) {
    for (const s of await ctx.db.selectFrom('studies').selectAll().where('trial_id', '=', trialId).where('study_uid', 'in', part).execute()) plan.existingStudies.set(s.study_uid, s);
  }
  const seriesUids = [...new Set(candidates.map((c) => c.prepared.seriesInstanceUid ?? `missing-${c.prepared.sopInstanceUid}`))];
  for (const part of chunks(seriesUids, 500)) {
    for (const s of await ctx.db.selectFrom('series').selectAll().where('trial_id', '=', trialId).where('series_uid', 'in', part).execute()) plan.existingSeries.set(s.series_uid, s);
  }
  const seen = new Set<string>();
  for (const c of candidates) {
    const p = c.prepared;
    const base = { ordinal: c.ordinal, entry: c.entry, sopInstanceUid: p.sopInstanceUid };
    if (known.has(p.sopInstanceUid) || seen.has(p.sopInstanceUid)) {
      plan.outcomes.push({ ...base, outcome: 'duplicate', reason: 'this instance was already received; it was not stored twice' });
      continue;
    }
    const studyUid = p.studyInstanceUid ?? `missing-${p.sopInstanceUid}`;
    const seriesUid = p.seriesInstanceUid ?? `missing-${p.sopInstanceUid}`;
    const study = plan.existingStudies.get(studyUid);
    if (study && study.subject_id !== subjectId) {
      plan.outcomes.push({ ...base, outcome: 'refused', reason: 'this study was already received for another subject of the trial' });
      continue;
    }
    const series = plan.existingSeries.get(seriesUid);
    if (series && ((study && series.study_id !== study.id) || !study || series.timepoint_id !== timepointId)) {
      plan.outcomes.push({ ...base, outcome: 'refused', reason: 'this series was already received for another study or visit' });
      continue;
    }
    seen.add(p.sopInstanceUid);
    plan.store.push(c);
    plan.seriesOfSop.set(p.sopInstanceUid, seriesUid);
    plan.seriesMembers.set(seriesUid, [...(plan.seriesMembers.get(seriesUid) ?? []), c]);
    plan.outcomes.push({ ...base, outcome: p.quarantine ? 'quarantined' : 'ingested', ...(p.quarantine ? { reason: p.quarantine } : {}) });
  }
  return plan;
}

/** Writes studies, series, instances and ledger entries of the plan; returns series UID -> series id. */
async function writeIndex(trx: Trx, trialId: string, uploadId: string, subjectId: string, timepointId: string, plan: IndexPlan, audit: (r: AuditRecord) => void, at: string): Promise<Map<string, string>> {
  const seriesIds = new Map<string, string>();
  const studyIds = new Map<string, string>();
  for (const [uid, s] of plan.existingStudies) studyIds.set(uid, s.id);
  for (const [uid, s] of plan.existingSeries) seriesIds.set(uid, s.id);
  const added = new Map<string, number>();
  const instances: InstancesTable[] = [];
  const ledger: Array<Record<string, unknown>> = [];
  for (const c of plan.store) {
    const p = c.prepared;
    const studyUid = p.studyInstanceUid ?? `missing-${p.sopInstanceUid}`;
    const seriesUid = p.seriesInstanceUid ?? `missing-${p.sopInstanceUid}`;
    if (!studyIds.has(studyUid)) {
      const study: StudiesTable = { id: randomUUID(), trial_id: trialId, subject_id: subjectId, study_uid: studyUid, study_date: p.studyDate, created_at: at };
      await trx.insertInto('studies').values(study).execute();
      studyIds.set(studyUid, study.id);
    }
    if (!seriesIds.has(seriesUid)) {
      const series: SeriesTable = {
        id: randomUUID(), trial_id: trialId, study_id: studyIds.get(studyUid)!, timepoint_id: timepointId, series_uid: seriesUid,
        modality: p.modality, frame_of_reference_uid: p.frameOfReferenceUid, instance_count: 0, acquisition_json: JSON.stringify(p.acquisition),
        volume_json: null, findings_json: null, created_at: at, updated_at: at,
      };
      await trx.insertInto('series').values(series).execute();
      seriesIds.set(seriesUid, series.id);
    }
    const seriesId = seriesIds.get(seriesUid)!;
    added.set(seriesId, (added.get(seriesId) ?? 0) + 1);
    instances.push({
      id: c.instanceId, trial_id: trialId, series_id: seriesId, sop_instance_uid: p.sopInstanceUid, sop_class_uid: p.sopClassUid,
      instance_number: p.instanceNumber, transfer_syntax_uid: p.transferSyntaxUid, rows: p.rows, columns: p.columns, frames: p.frames,
      geometry_json: JSON.stringify(p.geometry), blob_sha256: p.sha256, bytes: p.bytes, quarantine_reason: p.quarantine, upload_id: uploadId, created_at: at,
    });
    ledger.push({
      id: randomUUID(), trial_id: trialId, instance_id: c.instanceId, source_uid_digest: p.ledger.sourceUidDigest, new_uids_json: JSON.stringify(p.ledger.newUids),
      sha256_before: p.ledger.sha256Before, sha256_after: p.ledger.sha256After, profile_version: p.ledger.profileVersion,
      options_json: JSON.stringify(p.ledger.options), actions_json: JSON.stringify(p.actions), created_at: at,
    });
    audit({
      action: 'instance.ingest', entityType: 'instance', entityId: c.instanceId, trialId,
      after: { sopInstanceUid: p.sopInstanceUid, seriesId, blobSha256: p.sha256, quarantined: p.quarantine !== null, uploadId },
    });
  }
  // Multi-row inserts keep the commit short (bounded so every dialect's parameter limit holds).
  for (const part of chunks(instances, 100)) await trx.insertInto('instances').values(part).execute();
  for (const part of chunks(ledger, 100)) await trx.insertInto('deid_ledger').values(part as any).execute();
  for (const [seriesId, n] of added) {
    const s = await trx.selectFrom('series').select('instance_count').where('id', '=', seriesId).executeTakeFirstOrThrow();
    await trx.updateTable('series').set({ instance_count: Number(s.instance_count) + n, updated_at: at }).where('id', '=', seriesId).execute();
  }
  return seriesIds;
}

/** DEID-07: quarantined images wait for QC's burned-in text review; the query tells QC (and the sponsor) why. */
async function openQuarantineQuery(trx: Trx, audit: (r: AuditRecord) => void, trialId: string, timepointId: string, label: string, quarantined: FileOutcome[], at: string): Promise<void> {
  const reasons = new Map<string, number>();
  for (const q of quarantined) reasons.set(q.reason ?? 'quarantined', (reasons.get(q.reason ?? 'quarantined') ?? 0) + 1);
  const id = randomUUID();
  const title = `Images quarantined for burned-in text review (${label})`;
  const body = [`${quarantined.length} image(s) were quarantined and are not released to readers:`, ...[...reasons].map(([r, n]) => `${n} x ${r}`)].join('\n');
  await trx.insertInto('queries').values({ id, trial_id: trialId, timepoint_id: timepointId, state: 'open', title, created_by: null, created_at: at, updated_at: at }).execute();
  await trx.insertInto('query_messages').values({ id: randomUUID(), query_id: id, author_id: null, author_role: 'system', body, created_at: at }).execute();
  audit({ action: 'query.open', entityType: 'query', entityId: id, trialId, after: { timepointId, title, quarantined: quarantined.length } });
}
