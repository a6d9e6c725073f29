// A segmentation's thumbnail: the measured slice windowed, with the mask outline and the long and short axes drawn,
// rendered in the request pool from the one instance holding that slice. Visible to whoever may see the
// segmentation, and to biostatisticians for a segmentation that a signed read's measurement names as its AI source
// (what the read report shows); to anyone else it does not exist.
import { createHash } from 'node:crypto';
import type { MeasuredSliceThumbnailTask } from '../../../workers/ingest.js';
import type { DbOrTrx } from '../../db/connect.js';
import { DomainError } from '../../domain/errors.js';
import { maskSliceFromRle } from '../../segmentation/lesion-on-series.js';
import { BlobStore } from '../../storage/blob-store.js';
import type { ImageBytes, StoredVolume } from '../ingest/images.js';
import { requestPools } from '../ingest/request-pools.js';
import type { Caller } from '../reading/caller.js';
import type { ServiceContext } from '../service-context.js';
import { type RowWithJob, segmentationRow, segmentationView, visibleSegmentation } from './segmentations.js';

export interface ThumbnailQuery {
  size?: number;
  center?: number;
  width?: number;
}

/** Whether a signed read of the trial names the segmentation as a measurement's AI source. */
async function namedBySignedRead(db: DbOrTrx, trialId: string, segmentationId: string): Promise<boolean> {
  const candidates = await db
    .selectFrom('read_versions')
    .innerJoin('reads', 'reads.id', 'read_versions.read_id')
    .select('read_versions.content_json')
    .where('reads.trial_id', '=', trialId)
    .where('read_versions.state', '=', 'signed')
    .where('read_versions.content_json', 'like', `%${segmentationId}%`)
    .execute();
  const names = (m: any) => m?.aiSource?.segmentationId === segmentationId;
  return candidates.some((c) => {
    const content = JSON.parse(c.content_json);
    return [...(content.targets ?? []), ...(content.newLesions ?? [])].some((l: any) => names(l.measurement));
  });
}

async function thumbnailSegmentation(db: DbOrTrx, caller: Caller, trialId: string, segmentationId: string): Promise<RowWithJob> {
  const staffOrOwn = caller.isAdmin || caller.trialRoles.some((r) => r === 'qc' || r === 'reader' || r === 'adjudicator');
  if (staffOrOwn) return visibleSegmentation(db, caller, trialId, segmentationId);
  const row = await segmentationRow(db, trialId, segmentationId);
  if (row && (await namedBySignedRead(db, trialId, segmentationId))) return row;
  throw new DomainError('NOT_FOUND', `segmentation ${segmentationId} not found`);
}

export async function segmentationThumbnail(ctx: ServiceContext, caller: Caller, trialId: string, segmentationId: string, q: ThumbnailQuery): Promise<ImageBytes> {
  const row = await thumbnailSegmentation(ctx.db, caller, trialId, segmentationId);
  const view = segmentationView(row);
  if (view.state !== 'done') throw new DomainError('CONFLICT', `segmentation ${segmentationId} is ${view.state}: its thumbnail exists once it is done`);
  if (!view.measurement || !view.mask) throw new DomainError('CONFLICT', `segmentation ${segmentationId} found no lesion (${view.outcome}): there is nothing to draw`);
  const series = await ctx.db.selectFrom('series').select(['id', 'volume_json']).where('id', '=', row.series_id).executeTakeFirstOrThrow();
  const stored: StoredVolume = JSON.parse(series.volume_json!);
  const at = stored.order[view.measurement.k];
  const instance = at && (await ctx.db.selectFrom('instances').select(['blob_sha256', 'quarantine_reason']).where('id', '=', at.instanceId).where('series_id', '=', series.id).executeTakeFirst());
  if (!instance || instance.quarantine_reason !== null) throw new DomainError('CONFLICT', 'the measured slice is no longer part of the series');
  const window = { center: q.center ?? 40, width: q.width ?? 400 };
  const sizePx = q.size ?? 256;
  const maskSlice = maskSliceFromRle(view.mask, view.measurement.k);
  const task: MeasuredSliceThumbnailTask = {
    path: new BlobStore(ctx.config.blobDir).pathOf(instance.blob_sha256),
    frameIndex: at.frameIndex,
    maskSlice,
    longAxis: view.measurement.longAxis,
    shortAxis: view.measurement.shortAxis,
    options: { windowCenter: window.center, windowWidth: window.width, sizePx },
  };
  const bytes = await requestPools(ctx).run<Uint8Array>('ingest', task, { name: 'measuredSliceThumbnail', transferList: [maskSlice.buffer] });
  return {
    bytes,
    contentType: 'image/png',
    etag: `"${createHash('sha256').update(`${row.id}/${row.updated_at}/${instance.blob_sha256}/${sizePx}/${window.center}/${window.width}`).digest('hex').slice(0, 32)}"`,
    // a finished segmentation never changes: its thumbnail for given parameters is fixed
    immutable: true,
    headers: { 'x-slice-index': String(view.measurement.k), 'x-window': `${window.center},${window.width}` },
  };
}
