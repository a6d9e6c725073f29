// AI lesion segmentation as a reader uses it: a prompt on a series (or a lesion to find again in a follow-up)
// becomes a segmentation row (queued) and a durable job in one transaction with its audit event; the job
// (segmentation-job.ts) commits the result. Who sees what: a series through the image rule (seriesAccess); a
// segmentation, for readers and adjudicators only their own requests (anyone else's answers exactly like one that
// does not exist: BL-03), for core-lab staff all of them.
import { randomUUID } from 'node:crypto';
import type { Actor, AuditRecord } from '../../audit/audit-log.js';
import type { DbOrTrx, Trx } from '../../db/connect.js';
import type { SegmentationsTable, SeriesTable } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { type RleMask, parseStoredMask } from '../../domain/mask/index.js';
import type { CaliperLine } from '../../domain/measurement/index.js';
import { type Vec3, type VolumeGeometry, patientToVoxel } from '../../domain/volume.js';
import { enqueueJob } from '../../jobs/job-queue.js';
import type { LesionPrompt } from '../../segmentation/lesion-prompt.js';
import type { ModelCard } from '../../segmentation/model-card.js';
import { readModelCard } from '../../segmentation/model-registry.js';
import { seriesAccess } from '../ingest/image-access.js';
import type { StoredVolume } from '../ingest/images.js';
import { type Caller, isCoreLab } from '../reading/caller.js';
import { type ServiceContext, inTransaction } from '../service-context.js';

export const SEGMENTATION_JOB = 'segmentation.lesion';

export const SEGMENTATION_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type SegmentationState = (typeof SEGMENTATION_STATES)[number];

/** What the job needs besides the row: the model asked for (the row's model columns record what ran). */
export interface SegmentationJobPayload {
  segmentationId: string;
  modelId: string;
}

/** The stored measurement: src/domain/measurement's result on the series grid, without the per-slice table. */
export interface StoredMeasurement {
  k: number;
  longAxis: CaliperLine;
  shortAxis: CaliperLine;
  areaMm2: number;
  volumeMm3: number;
  voxelCount: number;
  boundaryConvention: string;
}

export interface SegmentationView {
  id: string;
  seriesId: string;
  kind: 'prompt' | 'propagation';
  prompt: LesionPrompt | null;
  sourceSegmentationId: string | null;
  state: SegmentationState;
  outcome: string | null;
  jobId: string;
  jobUrl: string;
  confidence: number | null;
  reachesVoiEdge: boolean;
  measurement: StoredMeasurement | null;
  mask: RleMask | null;
  provenance: {
    modelId: string;
    modelVersion: string;
    modelSha256: string;
    executionProvider: string;
    requestedExecutionProvider?: string;
    executionProviderFallbackReason?: string;
  } | null;
  /** propagation: where the lesion was looked for and what the search found */
  propagation?: { locatedAtMm: Vec3; shiftMm: Vec3; matchScore: number; reason: string } | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export type RowWithJob = SegmentationsTable & { job_state: string | null; job_error: string | null };

export function segmentationView(r: RowWithJob): SegmentationView {
  // The row holds the committed result; until then its job tells where the work is. A job cancelled or failed for
  // good never reaches the row's commit: the segmentation then reads as cancelled or failed, with the job's reason.
  let state: SegmentationState = r.state;
  let error = r.error;
  if (r.state === 'queued') {
    if (r.job_state === 'running') state = 'running';
    else if (r.job_state === 'cancelled') (state = 'cancelled'), (error = r.job_error ?? 'cancelled on request');
    else if (r.job_state === 'failed') (state = 'failed'), (error = r.job_error);
  }
  const details = r.details_json ? JSON.parse(r.details_json) : null;
  return {
    id: r.id,
    seriesId: r.series_id,
    kind: r.kind,
    prompt: r.kind === 'prompt' ? JSON.parse(r.prompt_json) : null,
    sourceSegmentationId: r.source_segmentation_id,
    state,
    outcome: r.outcome,
    jobId: r.job_id,
    jobUrl: `/jobs/${r.job_id}`,
    confidence: r.confidence === null ? null : Number(r.confidence),
    reachesVoiEdge: Number(r.reaches_voi_edge ?? 0) === 1,
    measurement: r.measurement_json ? JSON.parse(r.measurement_json) : null,
    mask: r.mask_json ? parseStoredMask(r.mask_json).stored.mask : null,
    provenance:
      r.model_id && r.model_version && r.model_sha256 && r.execution_provider
        ? {
            modelId: r.model_id,
            modelVersion: r.model_version,
            modelSha256: r.model_sha256,
            executionProvider: r.execution_provider,
            ...(r.requested_execution_provider ? { requestedExecutionProvider: r.requested_execution_provider } : {}),
            ...(r.execution_provider_fallback_reason ? { executionProviderFallbackReason: r.execution_provider_fallback_reason } : {}),
          }
        : null,
    ...(r.kind === 'propagation' ? { propagation: details?.propagation ?? null } : {}),
    error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function rowsWithJob(db: DbOrTrx) {
  return db
    .selectFrom('segmentations')
    .leftJoin('jobs', 'jobs.id', 'segmentations.job_id')
    .selectAll('segmentations')
    .select(['jobs.state as job_state', 'jobs.error as job_error']);
}

/** A segmentation of the trial with its job's state, without any access check (callers make theirs). */
export function segmentationRow(db: DbOrTrx, trialId: string, segmentationId: string): Promise<RowWithJob | undefined> {
  return rowsWithJob(db).where('segmentations.id', '=', segmentationId).where('segmentations.trial_id', '=', trialId).executeTakeFirst();
}

/** Readers and adjudicators are blinded on their own work even when they also hold a staff role (as for images). */
const blinded = (c: Caller): boolean => c.trialRoles.includes('reader') || c.trialRoles.includes('adjudicator');

const notFound = (id: string): never => {
  throw new DomainError('NOT_FOUND', `segmentation ${id} not found`);
};

/**
 * A segmentation the caller may see, or 404 exactly as for one that does not exist: core-lab staff see every
 * segmentation of the trial; a reader or adjudicator only their own, on a series they may still view.
 */
export async function visibleSegmentation(db: DbOrTrx, caller: Caller, trialId: string, segmentationId: string): Promise<RowWithJob> {
  const row = await segmentationRow(db, trialId, segmentationId);
  if (!row) return notFound(segmentationId);
  if (blinded(caller)) {
    if (row.requested_by !== caller.userId) return notFound(segmentationId);
    await seriesAccess(db, caller, trialId, row.series_id).catch(() => notFound(segmentationId));
    return row;
  }
  if (isCoreLab(caller)) return row;
  return notFound(segmentationId);
}

export async function getSegmentation(ctx: ServiceContext, caller: Caller, trialId: string, segmentationId: string): Promise<SegmentationView> {
  return segmentationView(await visibleSegmentation(ctx.db, caller, trialId, segmentationId));
}

/** The segmentations of a series the caller may see (a reader or adjudicator: their own), newest first. */
export async function listSeriesSegmentations(ctx: ServiceContext, caller: Caller, trialId: string, seriesId: string): Promise<SegmentationView[]> {
  await seriesAccess(ctx.db, caller, trialId, seriesId);
  let q = rowsWithJob(ctx.db).where('segmentations.series_id', '=', seriesId).where('segmentations.trial_id', '=', trialId);
  if (blinded(caller)) q = q.where('segmentations.requested_by', '=', caller.userId);
  else if (!isCoreLab(caller)) return [];
  const rows = await q.orderBy('segmentations.created_at', 'desc').orderBy('segmentations.id', 'desc').execute();
  return rows.map(segmentationView);
}

export const storedGeometry = (s: SeriesTable): VolumeGeometry | null => (s.volume_json ? (JSON.parse(s.volume_json) as StoredVolume).geometry : null);

function assembled(s: SeriesTable): VolumeGeometry {
  const g = storedGeometry(s);
  if (!g) throw new DomainError('CONFLICT', 'the series could not be assembled into a volume; see its QC findings');
  return g;
}

/** The points of a prompt with their request pointers. */
function promptPoints(p: LesionPrompt): Array<[string, Vec3]> {
  switch (p.kind) {
    case 'point':
      return [['pointMm', p.pointMm]];
    case 'line':
      return [['startMm', p.startMm], ['endMm', p.endMm]];
    case 'box':
      return [['cornerAMm', p.cornerAMm], ['cornerBMm', p.cornerBMm]];
  }
}

/**
 * A prompt must lie on the series: every point finite (400) and inside the volume, within half a voxel of its
 * outermost voxel centres (422, with where the volume is); a line needs two distinct points, a box an area.
 */
export function checkPromptOnSeries(prompt: LesionPrompt, g: VolumeGeometry): void {
  const points = promptPoints(prompt);
  for (const [name, p] of points) {
    if (!p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new DomainError('VALIDATION_FAILED', `prompt ${name} must be three finite numbers (patient coordinates, mm)`, {
        errors: [{ pointer: `/body/prompt/${name}`, detail: 'must be three finite numbers' }],
      });
    }
  }
  const outside: Array<{ pointer: string; detail: string }> = [];
  for (const [name, p] of points) {
    const v = patientToVoxel(g, p);
    const axes = [0, 1, 2].filter((a) => v[a] < -0.5 || v[a] > g.dims[a] - 0.5);
    if (axes.length > 0) {
      outside.push({
        pointer: `/body/prompt/${name}`,
        detail: `(${p.map((x) => +x.toFixed(2)).join(', ')}) mm is voxel (${v.map((x) => +x.toFixed(1)).join(', ')}), outside the volume's ${g.dims.join('x')} voxels along ${axes.map((a) => ['i', 'j', 'k'][a]).join(', ')}`,
      });
    }
  }
  if (outside.length > 0) {
    throw new DomainError('UNPROCESSABLE', `the prompt lies outside the series volume: ${outside.map((o) => o.detail).join('; ')}`, { errors: outside });
  }
  if (prompt.kind !== 'point') {
    const [a, b] = points.map(([, p]) => patientToVoxel(g, p));
    const inPlane = Math.hypot((a[0] - b[0]) * g.spacingMm[0], (a[1] - b[1]) * g.spacingMm[1]);
    const minimum = Math.min(g.spacingMm[0], g.spacingMm[1]);
    if (prompt.kind === 'line' && inPlane < minimum) {
      throw new DomainError('UNPROCESSABLE', `a drawn line needs two points at least one pixel (${+minimum.toFixed(3)} mm) apart in the slice plane`, { errors: [{ pointer: '/body/prompt/endMm', detail: 'is the start point' }] });
    }
    if (prompt.kind === 'box' && (Math.abs(a[0] - b[0]) < 1 || Math.abs(a[1] - b[1]) < 1)) {
      throw new DomainError('UNPROCESSABLE', 'a box needs opposite corners at least one pixel apart along both image axes', { errors: [{ pointer: '/body/prompt/cornerBMm', detail: 'does not span an area with cornerAMm' }] });
    }
  }
}

/** The card of a model a prompt may be sent to: in the registry, valid, promptable. */
export async function promptableModel(ctx: ServiceContext, modelId: string): Promise<ModelCard> {
  let card: ModelCard;
  try {
    card = await readModelCard(ctx.config.segmentation.registryDir, modelId);
  } catch (e) {
    const detail = e instanceof DomainError ? e.detail : String(e);
    throw new DomainError('UNPROCESSABLE', `model '${modelId}' cannot be used: ${detail}`, { errors: [{ pointer: '/body/modelId', detail }] });
  }
  if (card.task !== 'promptable-lesion-segmentation') {
    throw new DomainError('UNPROCESSABLE', `model '${modelId}' is a ${card.task} model, not a promptable lesion segmentation model`, { errors: [{ pointer: '/body/modelId', detail: `task is ${card.task}` }] });
  }
  return card;
}

interface NewSegmentation {
  trialId: string;
  series: SeriesTable;
  kind: 'prompt' | 'propagation';
  prompt: LesionPrompt | null;
  sourceSegmentationId: string | null;
  modelId: string;
}

async function queueSegmentation(ctx: ServiceContext, actor: Actor, trx: Trx, audit: (rec: AuditRecord) => void, now: Date, s: NewSegmentation): Promise<SegmentationView> {
  const id = randomUUID();
  const payload: SegmentationJobPayload = { segmentationId: id, modelId: s.modelId };
  // Back-pressure: the segmentation queue has its own bound; a full queue answers 429 and nothing is stored.
  const job = await enqueueJob(trx, ctx, { type: SEGMENTATION_JOB, trialId: s.trialId, payload, createdBy: actor.userId, maxQueued: ctx.config.segmentation.maxQueued }, now);
  const at = now.toISOString();
  const row: SegmentationsTable = {
    id,
    trial_id: s.trialId,
    series_id: s.series.id,
    requested_by: actor.userId!,
    kind: s.kind,
    prompt_json: JSON.stringify(s.prompt),
    source_segmentation_id: s.sourceSegmentationId,
    job_id: job.id,
    state: 'queued',
    outcome: null,
    model_id: null,
    model_version: null,
    model_sha256: null,
    execution_provider: null,
    requested_execution_provider: null,
    execution_provider_fallback_reason: null,
    reaches_voi_edge: null,
    mask_json: null,
    measurement_json: null,
    confidence: null,
    details_json: null,
    error: null,
    created_at: at,
    updated_at: at,
  };
  await trx.insertInto('segmentations').values(row).execute();
  audit({
    action: 'segmentation.request',
    entityType: 'segmentation',
    entityId: id,
    trialId: s.trialId,
    after: { seriesId: s.series.id, kind: s.kind, prompt: s.prompt, sourceSegmentationId: s.sourceSegmentationId, modelId: s.modelId, jobId: job.id },
  });
  return segmentationView({ ...row, job_state: job.state, job_error: null });
}

/** A reader's prompt on a series they may view: validated, then queued with its job and audit event. */
export async function requestSegmentation(
  ctx: ServiceContext,
  actor: Actor,
  caller: Caller,
  trialId: string,
  seriesId: string,
  input: { prompt: LesionPrompt; modelId?: string },
): Promise<SegmentationView> {
  const modelId = input.modelId ?? ctx.config.segmentation.defaultModelId;
  const { series } = await seriesAccess(ctx.db, caller, trialId, seriesId);
  checkPromptOnSeries(input.prompt, assembled(series));
  await promptableModel(ctx, modelId);
  return inTransaction(ctx, actor, async (trx, audit, now) =>
    queueSegmentation(ctx, actor, trx, audit, now, { trialId, series, kind: 'prompt', prompt: input.prompt, sourceSegmentationId: null, modelId }),
  );
}

/**
 * Find a segmented lesion again in another series of the same subject: the source must be a finished segmentation
 * with a lesion that the caller may see (a reader's or adjudicator's own), the target a series the caller may view.
 */
export async function requestPropagation(
  ctx: ServiceContext,
  actor: Actor,
  caller: Caller,
  trialId: string,
  sourceId: string,
  input: { seriesId: string },
): Promise<SegmentationView> {
  const source = await visibleSegmentation(ctx.db, caller, trialId, sourceId);
  const view = segmentationView(source);
  if (view.state !== 'done') {
    throw new DomainError('CONFLICT', `segmentation ${sourceId} is ${view.state}: only a finished segmentation with a lesion can be followed`);
  }
  if ((view.outcome !== 'segmented' && view.outcome !== 'found') || !source.mask_json || !source.model_id) {
    throw new DomainError('CONFLICT', `segmentation ${sourceId} found no lesion (${view.outcome}): there is nothing to follow`);
  }
  const { series: target } = await seriesAccess(ctx.db, caller, trialId, input.seriesId);
  if (target.id === source.series_id) {
    throw new DomainError('UNPROCESSABLE', 'the lesion is on this series already: choose a series of another visit', { errors: [{ pointer: '/body/seriesId', detail: 'is the source segmentation\'s series' }] });
  }
  const subjectOf = async (s: { timepoint_id: string }) =>
    (await ctx.db.selectFrom('timepoints').select('subject_id').where('id', '=', s.timepoint_id).executeTakeFirstOrThrow()).subject_id;
  const sourceSeries = await ctx.db.selectFrom('series').selectAll().where('id', '=', source.series_id).executeTakeFirstOrThrow();
  if ((await subjectOf(sourceSeries)) !== (await subjectOf(target))) {
    throw new DomainError('UNPROCESSABLE', 'the series belongs to another subject: a lesion is followed within one subject', { errors: [{ pointer: '/body/seriesId', detail: 'is another subject\'s series' }] });
  }
  assembled(target);
  return inTransaction(ctx, actor, async (trx, audit, now) =>
    queueSegmentation(ctx, actor, trx, audit, now, { trialId, series: target, kind: 'propagation', prompt: null, sourceSegmentationId: source.id, modelId: source.model_id! }),
  );
}
