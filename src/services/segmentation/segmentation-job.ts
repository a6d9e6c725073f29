// The durable job behind a segmentation. The series volume is loaded by the platform's loader (the code behind GET
// .../volume), the region the model reads is cropped around the prompt and sent to the segmentation pool
// (workers/segment.ts); the mask comes back on the crop's grid and is moved to the series grid, measured
// (src/domain/measurement), run-length encoded and stored with its provenance. The result commits with the job and
// its audit event, only while this runner holds the job's lease: a job re-run after a crash commits once.
import type { SegmentTaskResult } from '../../../workers/segment.js';
import { sha256hex } from '../../audit/audit-log.js';
import type { SeriesTable } from '../../db/schema.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { type MaskProvenance, storedMaskToJson, toStoredMask } from '../../domain/mask/index.js';
import { type Vec3, type Volume, patientToVoxel } from '../../domain/volume.js';
import type { Job } from '../../jobs/job-queue.js';
import type { JobHandler, JobTools } from '../../jobs/job-runner.js';
import { encodeLesionOnSeries, lesionMaskFromRle, measureLesionOnSeries, shiftLesionMask } from '../../segmentation/lesion-on-series.js';
import { promptCentreMm, type LesionPrompt } from '../../segmentation/lesion-prompt.js';
import type { ModelCard } from '../../segmentation/model-card.js';
import { type LesionPropagation, maskCentroid, propagationReachMm } from '../../segmentation/propagate-lesion.js';
import type { LesionMask, SegmentationProvenance } from '../../segmentation/segment-lesion.js';
import { axesOf, cropVolume, unionBox, voiBox, voxelBoxOfRegion } from '../../segmentation/volume-crop.js';
import { loadStoredSeriesVolume } from '../ingest/images.js';
import { SEGMENTATION_JOB, type SegmentationJobPayload, type StoredMeasurement, promptableModel, storedGeometry } from './segmentations.js';

export { SEGMENTATION_JOB };

/** What a run found, on the series grid, ready to store. */
interface RunOutcome {
  outcome: 'segmented' | 'nothing-found' | 'found' | 'not-found';
  /** the lesion on the series grid (absent when nothing was found) */
  mask: LesionMask | null;
  confidence: number;
  reachesVoiEdge: boolean;
  /** null only when no model ran (a follow-up that does not cover the lesion's position) */
  provenance: SegmentationProvenance | null;
  /** the point the model was prompted at (patient mm) */
  promptMm: Vec3;
  postprocessing: string[];
  propagation?: { locatedAtMm: Vec3; shiftMm: Vec3; matchScore: number; reason: string };
}

const seriesRow = (tools: JobTools, id: string): Promise<SeriesTable> => tools.ctx.db.selectFrom('series').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

function postprocessingOf(card: ModelCard, prompt: LesionPrompt): string[] {
  return [
    `threshold ${card.output.threshold ?? 0.5} on the ${card.output.classes[0]?.name ?? 'lesion'} probability, resampled to the series grid`,
    ...(prompt.kind === 'box' ? ['clipped to the drawn box plus 2 mm'] : []),
    '6-connected component at the prompt (nearest component when the prompt falls outside)',
  ];
}

async function runPrompt(tools: JobTools, volume: Volume, prompt: LesionPrompt, card: ModelCard): Promise<RunOutcome> {
  const centre = promptCentreMm(prompt);
  const box = voiBox(volume, centre, card);
  if (!box) throw new DomainError('UNPROCESSABLE', 'the prompt lies outside the series volume');
  const crop = cropVolume(volume, box);
  const r = await tools.pools.run<SegmentTaskResult>('segment', { modelId: card.id, volume: crop, prompt }, { signal: tools.signal, transferList: [crop.voxels.buffer] });
  const found = r.outcome === 'segmented';
  return {
    outcome: r.outcome,
    mask: found ? shiftLesionMask(r.mask, box.offset) : null,
    confidence: found ? r.meanProbability : 0,
    reachesVoiEdge: r.reachesVoiEdge,
    provenance: r.provenance,
    promptMm: centre,
    postprocessing: postprocessingOf(card, prompt),
  };
}

const sameAxes = (a: Volume, b: Volume) =>
  (['rowDir', 'colDir', 'sliceDir'] as const).every((d) => a[d][0] * b[d][0] + a[d][1] * b[d][1] + a[d][2] * b[d][2] > 0.9999);

async function runPropagation(tools: JobTools, baseline: Volume, baselineMask: LesionMask, followUp: Volume, card: ModelCard): Promise<RunOutcome> {
  const reach = propagationReachMm(card, {}, sameAxes(baseline, followUp));
  const centre = maskCentroid(baseline, baselineMask).centreMm;
  const axes = axesOf(baseline);
  const half = (h: number): Vec3 => [h, h, h];
  const lesionBox = { offset: baselineMask.offset, size: baselineMask.dims };
  const baseBox = unionBox(voxelBoxOfRegion(baseline, centre, half(reach.baselineHalfMm), axes) ?? lesionBox, lesionBox);
  const followBox = voxelBoxOfRegion(followUp, centre, half(reach.followUpHalfMm), axes);
  const postprocessing = postprocessingOf(card, { kind: 'point', pointMm: centre });
  if (!followBox) {
    // The follow-up does not reach the lesion's neighbourhood: nothing to align, nothing else segmented.
    const reason = 'the follow-up series does not cover the lesion\'s position';
    return { outcome: 'not-found', mask: null, confidence: 0, reachesVoiEdge: false, provenance: null, promptMm: centre, postprocessing, propagation: { locatedAtMm: centre, shiftMm: [0, 0, 0], matchScore: 0, reason } };
  }
  const baseCrop = cropVolume(baseline, baseBox);
  const followCrop = cropVolume(followUp, followBox);
  const onCrop = shiftLesionMask(baselineMask, [-baseBox.offset[0], -baseBox.offset[1], -baseBox.offset[2]]);
  const r = await tools.pools.run<LesionPropagation>(
    'segment',
    { modelId: card.id, baseline: baseCrop, baselineMask: onCrop, followUp: followCrop },
    { name: 'propagate', signal: tools.signal, transferList: [baseCrop.voxels.buffer, followCrop.voxels.buffer] },
  );
  const found = r.outcome === 'found' && r.segmentation !== undefined;
  return {
    outcome: r.outcome,
    mask: found ? shiftLesionMask(r.segmentation!.mask, followBox.offset) : null,
    confidence: r.confidence,
    reachesVoiEdge: found ? r.segmentation!.reachesVoiEdge : false,
    provenance: r.segmentation?.provenance ?? null,
    promptMm: r.locatedAtMm,
    postprocessing: [...postprocessing, 'located by translation search (normalised cross-correlation) from the earlier lesion'],
    propagation: { locatedAtMm: r.locatedAtMm, shiftMm: r.shiftMm, matchScore: r.matchScore, reason: r.reason },
  };
}

export function segmentationJobHandler(): JobHandler {
  return async (job: Job, tools) => {
    const { ctx } = tools;
    const payload = job.payload as SegmentationJobPayload;
    const row = await ctx.db.selectFrom('segmentations').selectAll().where('id', '=', payload.segmentationId).executeTakeFirstOrThrow();
    if (row.state !== 'queued') {
      // committed by an earlier run (its job finishing is part of the same commit, so this is a replay): no-op
      await tools.commit(async () => ({ segmentationId: row.id, state: row.state }));
      return;
    }
    const series = await seriesRow(tools, row.series_id);
    let run: RunOutcome | undefined;
    let card: ModelCard | undefined;
    let error: string | undefined;
    // progress() also reads a cancellation request (DELETE /jobs/{id}): stop there rather than commit
    const step = async (fraction: number) => {
      await tools.progress(fraction);
      tools.signal.throwIfAborted();
    };
    try {
      card = await promptableModel(ctx, payload.modelId);
      await step(0.05);
      const { volume } = await loadStoredSeriesVolume(ctx, tools.pools, series, tools.signal);
      await step(0.3);
      if (row.kind === 'prompt') {
        run = await runPrompt(tools, volume, JSON.parse(row.prompt_json) as LesionPrompt, card);
      } else {
        const source = await ctx.db.selectFrom('segmentations').selectAll().where('id', '=', row.source_segmentation_id!).executeTakeFirstOrThrow();
        if (!source.mask_json) throw new DomainError('CONFLICT', 'the source segmentation has no stored mask');
        const baselineMask = lesionMaskFromRle(JSON.parse(source.mask_json).mask);
        const baseline = (await loadStoredSeriesVolume(ctx, tools.pools, await seriesRow(tools, source.series_id), tools.signal)).volume;
        await step(0.5);
        run = await runPropagation(tools, baseline, baselineMask, volume, card);
      }
    } catch (e) {
      // Deterministic refusals fail the segmentation at once; anything else is retried until the last attempt.
      if (tools.signal.aborted || (!isDomainError(e) && job.attempts < job.maxAttempts)) throw e;
      error = isDomainError(e) ? e.detail : e instanceof Error ? e.message : String(e);
    }
    await step(0.9);

    if (!run) {
      const message = error ?? 'the segmentation did not run';
      await tools.commit(
        async (trx, audit, now) => {
          await trx.updateTable('segmentations').set({ state: 'failed', error: message, updated_at: now.toISOString() }).where('id', '=', row.id).where('state', '=', 'queued').execute();
          audit({ action: 'segmentation.fail', entityType: 'segmentation', entityId: row.id, trialId: row.trial_id, after: { seriesId: row.series_id, kind: row.kind, jobId: job.id, error: message } });
          return { segmentationId: row.id, state: 'failed', error: message };
        },
        { failed: message },
      );
      return;
    }

    // Everything the commit stores is computed first, outside the transaction.
    const g = storedGeometry(series)!;
    const measurement = run.mask ? measureLesionOnSeries(g, run.mask) : null;
    const storedMeasurement: StoredMeasurement | null = measurement && {
      k: measurement.k,
      longAxis: measurement.longAxis,
      shortAxis: measurement.shortAxis,
      areaMm2: measurement.areaMm2,
      volumeMm3: measurement.volumeMm3,
      voxelCount: measurement.voxelCount,
      boundaryConvention: measurement.boundaryConvention,
    };
    const model = run.provenance ? { id: run.provenance.modelId, version: run.provenance.modelVersion, sha256: run.provenance.modelSha256 } : { id: card!.id, version: card!.version, sha256: card!.sha256 };
    await tools.commit(async (trx, audit, now) => {
      const provenance: MaskProvenance = {
        origin: 'model',
        seriesInstanceUid: series.series_uid,
        model,
        promptVoxel: patientToVoxel(g, run!.promptMm),
        postprocessing: run!.postprocessing,
        createdBy: row.requested_by,
        createdAt: now.toISOString(),
      };
      const maskJson = run!.mask ? storedMaskToJson(toStoredMask(encodeLesionOnSeries(g, run!.mask), g, provenance)) : null;
      const updated = await trx
        .updateTable('segmentations')
        .set({
          state: 'done',
          outcome: run!.outcome,
          model_id: model.id,
          model_version: model.version,
          model_sha256: model.sha256,
          execution_provider: run!.provenance?.executionProvider ?? null,
          requested_execution_provider: run!.provenance?.requestedExecutionProvider ?? null,
          execution_provider_fallback_reason: run!.provenance?.executionProviderFallbackReason ?? null,
          reaches_voi_edge: run!.reachesVoiEdge ? 1 : 0,
          mask_json: maskJson,
          measurement_json: storedMeasurement ? JSON.stringify(storedMeasurement) : null,
          confidence: run!.confidence,
          details_json: run!.propagation ? JSON.stringify({ propagation: run!.propagation }) : null,
          error: null,
          updated_at: now.toISOString(),
        })
        .where('id', '=', row.id)
        .where('state', '=', 'queued')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new DomainError('CONFLICT', `segmentation ${row.id} was already completed`);
      audit({
        action: 'segmentation.complete',
        entityType: 'segmentation',
        entityId: row.id,
        trialId: row.trial_id,
        after: {
          seriesId: row.series_id,
          kind: row.kind,
          sourceSegmentationId: row.source_segmentation_id,
          jobId: job.id,
          outcome: run!.outcome,
          confidence: run!.confidence,
          longAxisMm: measurement?.longAxis.lengthMm ?? null,
          shortAxisMm: measurement?.shortAxis.lengthMm ?? null,
          volumeMm3: measurement?.volumeMm3 ?? null,
          maskSha256: maskJson ? sha256hex(maskJson) : null,
          provenance: run!.provenance,
          ...(run!.propagation ? { propagation: run!.propagation } : {}),
        },
      });
      return { segmentationId: row.id, state: 'done', outcome: run!.outcome };
    });
  };
}
