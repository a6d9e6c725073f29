// Image access for readers, adjudicators, core-lab staff and workers: a timepoint's series with geometry, one slice
// (windowed PNG or 16-bit raw HU), the whole volume (raw). Access goes through imageAccess (one rule for every
// image route); JSON goes through the blinding view (imageResourceView), and the geometry block is numbers only.
// Pixels are decoded and rendered in the pool. Quarantined instances are never part of a volume, so they are
// never served to anyone through these routes (DEID-07).
import { createHash } from 'node:crypto';
import type { RenderSliceTask, SeriesInstanceRef } from '../../../workers/ingest.js';
import type { SeriesTable } from '../../db/schema.js';
import { imageResourceView } from '../../domain/blinding/projections.js';
import { type Viewer, isBlinded } from '../../domain/blinding/viewer.js';
import { DomainError } from '../../domain/errors.js';
import type { Vec3, Volume } from '../../domain/volume.js';
import type { WorkerPools } from '../../jobs/worker-pools.js';
import { BlobStore } from '../../storage/blob-store.js';
import type { Caller } from '../reading/caller.js';
import type { ServiceContext } from '../service-context.js';
import { imageAccess, seriesAccess } from './image-access.js';
import { requestPools } from './request-pools.js';

/** Stored with each series once assembled (timepoint-qc.ts): geometry, slice order and coverage. */
export interface StoredVolume {
  geometry: { dims: [number, number, number]; spacingMm: Vec3; originMm: Vec3; rowDir: Vec3; colDir: Vec3; sliceDir: Vec3 };
  order: Array<{ instanceId: string; frameIndex: number; positionMm: number }>;
  coverageMm: number;
}

const volumeOf = (s: SeriesTable): StoredVolume | null => (s.volume_json ? JSON.parse(s.volume_json) : null);

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const vec = (v: readonly unknown[]): number[] => v.map((x) => finite(x) ?? 0);

/** Geometry as numbers only, built field by field: nothing else of the stored JSON can pass through. */
function geometryView(v: StoredVolume | null) {
  if (!v) return null;
  const g = v.geometry;
  return {
    dims: vec(g.dims),
    spacingMm: vec(g.spacingMm),
    originMm: vec(g.originMm),
    rowDir: vec(g.rowDir),
    colDir: vec(g.colDir),
    sliceDir: vec(g.sliceDir),
    slices: v.order.length,
    coverageMm: finite(v.coverageMm),
  };
}

/** The series of a timepoint the caller may see, with geometry. Blinded viewers see assembled series only. */
export async function listTimepointSeries(ctx: ServiceContext, caller: Caller, trialId: string, timepointId: string) {
  const { viewer } = await imageAccess(ctx.db, caller, trialId, timepointId);
  const series = await ctx.db.selectFrom('series').selectAll().where('timepoint_id', '=', timepointId).where('trial_id', '=', trialId).orderBy('created_at').orderBy('id').execute();
  const out: Array<Record<string, unknown>> = [];
  for (const s of series) {
    const volume = volumeOf(s);
    if (isBlinded(viewer) && !volume) continue;
    const instances = await ctx.db.selectFrom('instances').select(['id', 'rows', 'columns', 'geometry_json', 'quarantine_reason', 'upload_id']).where('series_id', '=', s.id).orderBy('instance_number').execute();
    const released = instances.filter((i) => i.quarantine_reason === null);
    const first = released[0] ?? instances[0];
    const frame = first?.geometry_json ? JSON.parse(first.geometry_json)?.[0] : undefined;
    const study = await ctx.db.selectFrom('studies').select(['study_uid', 'study_date']).where('id', '=', s.study_id).executeTakeFirstOrThrow();
    const acquisition = s.acquisition_json ? JSON.parse(s.acquisition_json) : {};
    const record = {
      id: s.id,
      studyId: s.study_id,
      timepointId: s.timepoint_id,
      modality: s.modality,
      sliceThicknessMm: finite(acquisition.sliceThicknessMm),
      rows: first ? Number(first.rows) : null,
      columns: first ? Number(first.columns) : null,
      pixelSpacingMm: Array.isArray(frame?.pixelSpacing) ? vec(frame.pixelSpacing) : null,
      instanceCount: released.length,
      frameOfReferenceUid: s.frame_of_reference_uid,
      // core-lab staff only (the blinding view drops everything below for readers and adjudicators)
      seriesUid: s.series_uid,
      studyUid: study.study_uid,
      studyDate: study.study_date,
      acquisition,
      findings: s.findings_json ? JSON.parse(s.findings_json) : [],
      quarantinedCount: instances.length - released.length,
      uploadIds: [...new Set(instances.map((i) => i.upload_id))],
      createdAt: s.created_at,
      updatedAt: s.updated_at,
    };
    out.push({ ...imageResourceView(viewer, 'series', record), geometry: geometryView(volume) });
  }
  return out;
}

export interface ImageBytes {
  bytes: Uint8Array;
  contentType: string;
  etag: string;
  /** the images can no longer change (reading of the timepoint has started), so clients may cache them for good */
  immutable: boolean;
  headers: Record<string, string>;
}

/**
 * Whether the timepoint's images can no longer change: once a read of it has started, QC can no longer fail it,
 * so no image is added or replaced. A blinded viewer's answer depends on their own work only (their own read has
 * started; an adjudication exists only over signed reads), never on another reader's progress (BL-03).
 */
async function frozen(ctx: ServiceContext, caller: Caller, viewer: Viewer, timepointId: string): Promise<boolean> {
  switch (viewer.kind) {
    case 'adjudicator':
      return true;
    case 'reader': {
      const own = await ctx.db.selectFrom('reads').select('id').where('timepoint_id', '=', timepointId).where('reader_id', '=', caller.userId).where('state', 'in', ['draft', 'signed']).executeTakeFirst();
      return Boolean(own);
    }
    case 'core_lab': {
      const any = await ctx.db.selectFrom('reads').select('id').where('timepoint_id', '=', timepointId).where('state', 'in', ['draft', 'signed']).executeTakeFirst();
      return Boolean(any);
    }
  }
}

const csv = (v: readonly number[]) => v.map((x) => String(+x.toFixed(6))).join(',');

export interface SliceQuery {
  format: 'png' | 'raw';
  center?: number;
  width?: number;
}

/** Slice k of a series (k in volume order), rendered in the pool from the one instance that holds it. */
export async function seriesSlice(ctx: ServiceContext, caller: Caller, trialId: string, seriesId: string, k: number, q: SliceQuery): Promise<ImageBytes> {
  const { series, viewer } = await seriesAccess(ctx.db, caller, trialId, seriesId);
  const volume = volumeOf(series);
  if (!volume) throw new DomainError('CONFLICT', 'the series could not be assembled into a volume; see its QC findings');
  const n = volume.order.length;
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new DomainError('NOT_FOUND', `slice ${k} is outside 0..${n - 1}`);
  const at = volume.order[k];
  const instance = await ctx.db.selectFrom('instances').select(['blob_sha256', 'quarantine_reason']).where('id', '=', at.instanceId).where('series_id', '=', series.id).executeTakeFirst();
  if (!instance || instance.quarantine_reason !== null) throw new DomainError('NOT_FOUND', `slice ${k} not found`);
  const window = q.center !== undefined || q.width !== undefined ? { center: q.center ?? 40, width: q.width ?? 400 } : undefined;
  if (window && !(window.width >= 1)) throw new DomainError('VALIDATION_FAILED', 'window width must be at least 1');
  const task: RenderSliceTask = { path: new BlobStore(ctx.config.blobDir).pathOf(instance.blob_sha256), frameIndex: at.frameIndex, format: q.format, window };
  const bytes = await requestPools(ctx).run<Uint8Array>('ingest', task, { name: 'renderSlice' });
  const g = volume.geometry;
  const position = [0, 1, 2].map((a) => g.originMm[a] + k * g.spacingMm[2] * g.sliceDir[a]);
  return {
    bytes,
    contentType: q.format === 'raw' ? 'application/octet-stream' : 'image/png',
    etag: `"${createHash('sha256').update(`${instance.blob_sha256}/${at.frameIndex}/${q.format}/${window ? `${window.center}/${window.width}` : 'default'}`).digest('hex').slice(0, 32)}"`,
    immutable: await frozen(ctx, caller, viewer, series.timepoint_id),
    headers: {
      'x-slice-index': String(k),
      'x-image-dims': csv([g.dims[0], g.dims[1]]),
      'x-image-spacing-mm': csv(g.spacingMm),
      'x-image-position-mm': csv(position),
      'x-image-orientation': csv([...g.rowDir, ...g.colDir]),
      ...(q.format === 'raw' ? { 'x-sample-format': 'int16le; unit=HU' } : { 'x-window': window ? csv([window.center, window.width]) : '40,400' }),
    },
  };
}

export interface LoadedSeriesVolume {
  /** int16 modality values (HU for CT) on the geometry stored at assembly */
  volume: Volume;
  /** the same voxels as little-endian bytes (what GET .../volume sends) */
  bytes: Uint8Array;
  /** identifies the stored instances the voxels came from (an ETag's content) */
  contentTag: string;
}

/**
 * A series' voxels as assembled at ingest, decoded in the pool (workers/ingest.ts volumeRaw, src/dicom assembly):
 * the one loader behind GET .../volume and the segmentation jobs. No access check here: callers have done theirs.
 */
export async function loadStoredSeriesVolume(ctx: ServiceContext, pools: WorkerPools, series: SeriesTable, signal?: AbortSignal): Promise<LoadedSeriesVolume> {
  const stored = volumeOf(series);
  if (!stored) throw new DomainError('CONFLICT', 'the series could not be assembled into a volume; see its QC findings');
  const ids = [...new Set(stored.order.map((o) => o.instanceId))];
  const rows = await ctx.db.selectFrom('instances').select(['id', 'blob_sha256']).where('series_id', '=', series.id).where('quarantine_reason', 'is', null).execute();
  const sha = new Map(rows.map((r) => [r.id, r.blob_sha256]));
  if (ids.some((id) => !sha.has(id))) throw new DomainError('CONFLICT', 'the series changed since it was assembled; retry');
  const store = new BlobStore(ctx.config.blobDir);
  const refs: SeriesInstanceRef[] = ids.map((id) => ({ instanceId: id, path: store.pathOf(sha.get(id)!) }));
  const bytes = await pools.run<Uint8Array>('ingest', { instances: refs }, { name: 'volumeRaw', signal });
  const g = stored.geometry;
  const expected = g.dims[0] * g.dims[1] * g.dims[2] * 2;
  if (bytes.length !== expected) throw new DomainError('CONFLICT', 'the stored series no longer matches its assembled geometry');
  // int16 view of the bytes (copied only if the buffer is not 2-byte aligned)
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  const voxels = new Int16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
  return {
    volume: { dims: g.dims, spacingMm: g.spacingMm, originMm: g.originMm, rowDir: g.rowDir, colDir: g.colDir, sliceDir: g.sliceDir, voxels },
    bytes,
    contentTag: ids.map((id) => sha.get(id)).join('/'),
  };
}

/** The whole volume, k-major, as little-endian int16 modality values (HU for CT), assembled in the pool. */
export async function seriesVolume(ctx: ServiceContext, caller: Caller, trialId: string, seriesId: string): Promise<ImageBytes> {
  const { series, viewer } = await seriesAccess(ctx.db, caller, trialId, seriesId);
  const { bytes, contentTag, volume } = await loadStoredSeriesVolume(ctx, requestPools(ctx), series);
  return {
    bytes,
    contentType: 'application/octet-stream',
    etag: `"${createHash('sha256').update(contentTag).digest('hex').slice(0, 32)}"`,
    immutable: await frozen(ctx, caller, viewer, series.timepoint_id),
    headers: {
      'x-volume-dims': csv(volume.dims),
      'x-volume-spacing-mm': csv(volume.spacingMm),
      'x-volume-origin-mm': csv(volume.originMm),
      'x-volume-direction': csv([...volume.rowDir, ...volume.colDir, ...volume.sliceDir]),
      'x-sample-format': 'int16le; unit=HU',
    },
  };
}

/** The de-identification ledger entry of one instance (qc, admin): how to trace a de-identified instance. */
export async function instanceLedger(ctx: ServiceContext, trialId: string, instanceId: string) {
  const row = await ctx.db
    .selectFrom('deid_ledger')
    .innerJoin('instances', 'instances.id', 'deid_ledger.instance_id')
    .selectAll('deid_ledger')
    .select(['instances.sop_instance_uid', 'instances.series_id', 'instances.upload_id', 'instances.blob_sha256', 'instances.quarantine_reason'])
    .where('deid_ledger.instance_id', '=', instanceId)
    .where('deid_ledger.trial_id', '=', trialId)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `instance ${instanceId} not found in this trial`);
  return {
    instanceId: row.instance_id,
    seriesId: row.series_id,
    uploadId: row.upload_id,
    sopInstanceUid: row.sop_instance_uid,
    blobSha256: row.blob_sha256,
    quarantineReason: row.quarantine_reason,
    sourceUidDigest: row.source_uid_digest,
    newUids: JSON.parse(row.new_uids_json),
    sha256Before: row.sha256_before,
    sha256After: row.sha256_after,
    profileVersion: row.profile_version,
    options: JSON.parse(row.options_json),
    actions: JSON.parse(row.actions_json),
    createdAt: row.created_at,
  };
}
