// Promptable lesion segmentation of one series: VOI around the prompt -> model -> probability resampled back onto
// the series' voxel grid -> threshold -> the connected component under the prompt. Each result carries the model's
// id, version, sha256 and the execution provider that ran it (architecture.md, "Models are data").
import { largestConnectedComponent } from '../domain/mask/connected-component.js';
import { type Vec3, type Volume, type VolumeGeometry, patientToVoxel } from '../domain/volume.js';
import { DomainError } from '../domain/errors.js';
import type { ModelCard } from './model-card.js';
import { type LesionPrompt, promptCentreMm } from './lesion-prompt.js';
import { type ModelInput, buildModelInput } from './model-input.js';
import { type ModelSession, runModel } from './onnx-session.js';
import { applyIndexAffine, indexAffine, resampleBox } from './resample.js';

/** A binary mask on a box of the series' voxel grid. */
export interface LesionMask {
  /** series voxel index (i, j, k) of the box's first voxel */
  readonly offset: readonly [number, number, number];
  /** box size in voxels [x, y, z] */
  readonly dims: readonly [number, number, number];
  /** 0/1, x fastest */
  readonly data: Uint8Array;
}

export interface SegmentationProvenance {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly modelSha256: string;
  readonly executionProvider: string;
  readonly requestedExecutionProvider: string;
  readonly executionProviderFallbackReason?: string;
}

export const SEGMENTATION_OUTCOMES = ['segmented', 'nothing-found'] as const;
export type SegmentationOutcome = (typeof SEGMENTATION_OUTCOMES)[number];

export interface LesionSegmentation {
  readonly outcome: SegmentationOutcome;
  readonly mask: LesionMask;
  readonly voxelCount: number;
  readonly volumeMm3: number;
  /** mean model probability over the kept component: a confidence for the proposal */
  readonly meanProbability: number;
  /** the lesion reaches the VOI's edge, so it may be larger than what was segmented */
  readonly reachesVoiEdge: boolean;
  readonly provenance: SegmentationProvenance;
}

export function provenanceOf(ms: ModelSession): SegmentationProvenance {
  return {
    modelId: ms.card.id,
    modelVersion: ms.card.version,
    modelSha256: ms.card.sha256,
    executionProvider: ms.executionProvider,
    requestedExecutionProvider: ms.requestedProvider,
    ...(ms.fallbackReason ? { executionProviderFallbackReason: ms.fallbackReason } : {}),
  };
}

function assertPromptable(card: ModelCard): void {
  if (card.task !== 'promptable-lesion-segmentation' || card.output.activation !== 'sigmoid') {
    throw new DomainError('UNPROCESSABLE', `model '${card.id}' is not a promptable lesion segmentation model`);
  }
}

export function prepareLesionInput(series: Volume, prompt: LesionPrompt, card: ModelCard): ModelInput {
  assertPromptable(card);
  const centre = promptCentreMm(prompt);
  return buildModelInput(series, centre, centre, card);
}

/** Maps the model's probability (lesion channel, VOI grid) back to the series grid and keeps the prompted lesion. */
export function lesionMaskFromProbability(
  series: VolumeGeometry,
  voi: VolumeGeometry,
  probability: Float32Array,
  card: ModelCard,
  prompt: LesionPrompt,
): Omit<LesionSegmentation, 'provenance'> {
  assertPromptable(card);
  const threshold = card.output.threshold ?? 0.5;
  const [vx, vy, vz] = voi.dims;
  // VOI box holding every voxel at or above threshold, one voxel wider so interpolation reaches the rim
  const lo = [vx, vy, vz];
  const hi = [-1, -1, -1];
  let reachesVoiEdge = false;
  for (let z = 0, v = 0; z < vz; z++)
    for (let y = 0; y < vy; y++)
      for (let x = 0; x < vx; x++, v++) {
        if (probability[v] < threshold) continue;
        if (x < lo[0]) lo[0] = x;
        if (y < lo[1]) lo[1] = y;
        if (z < lo[2]) lo[2] = z;
        if (x > hi[0]) hi[0] = x;
        if (y > hi[1]) hi[1] = y;
        if (z > hi[2]) hi[2] = z;
        if (x === 0 || y === 0 || z === 0 || x === vx - 1 || y === vy - 1 || z === vz - 1) reachesVoiEdge = true;
      }
  const centre = promptCentreMm(prompt);
  const seedSeries = patientToVoxel(series, centre);
  if (hi[0] < 0) return nothingFound(seedSeries, series);

  const toSeries = indexAffine(voi, series);
  const bmin = [Infinity, Infinity, Infinity];
  const bmax = [-Infinity, -Infinity, -Infinity];
  for (const cx of [lo[0] - 1, hi[0] + 1])
    for (const cy of [lo[1] - 1, hi[1] + 1])
      for (const cz of [lo[2] - 1, hi[2] + 1]) {
        const p = applyIndexAffine(toSeries, [cx, cy, cz]);
        for (let a = 0; a < 3; a++) (bmin[a] = Math.min(bmin[a], p[a])), (bmax[a] = Math.max(bmax[a], p[a]));
      }
  const offset = [0, 1, 2].map((a) => Math.max(0, Math.floor(bmin[a]))) as [number, number, number];
  const end = [0, 1, 2].map((a) => Math.min(series.dims[a] - 1, Math.ceil(bmax[a]))) as [number, number, number];
  const size = [0, 1, 2].map((a) => end[a] - offset[a] + 1) as [number, number, number];
  if (size.some((s) => s <= 0)) return nothingFound(seedSeries, series);

  const prob = resampleBox(probability, voi.dims, indexAffine(series, voi), offset, size, { kind: 'constant', value: 0 });
  const raw = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) raw[i] = prob[i] >= threshold ? 1 : 0;
  if (prompt.kind === 'box') clipToBox(raw, size, offset, series, prompt.cornerAMm, prompt.cornerBMm);
  const seed: Vec3 = [seedSeries[0] - offset[0], seedSeries[1] - offset[1], seedSeries[2] - offset[2]];
  const kept = largestConnectedComponent(raw, size, seed);

  let count = 0;
  let psum = 0;
  for (let i = 0; i < kept.length; i++) if (kept[i]) (count += 1), (psum += prob[i]);
  if (count === 0) return nothingFound(seedSeries, series);
  const mask = cropToContent(kept, size, offset);
  const [sx, sy, sz] = series.spacingMm;
  return {
    outcome: 'segmented',
    mask,
    voxelCount: count,
    volumeMm3: count * sx * sy * sz,
    meanProbability: psum / count,
    reachesVoiEdge,
  };
}

/** The whole pipeline on one session: what workers/segment.ts runs per job. */
export async function segmentLesion(series: Volume, prompt: LesionPrompt, ms: ModelSession): Promise<LesionSegmentation> {
  const input = prepareLesionInput(series, prompt, ms.card);
  const prob = await runModel(ms, input.tensor);
  return { ...lesionMaskFromProbability(series, input.voi, prob, ms.card, prompt), provenance: provenanceOf(ms) };
}

function nothingFound(seed: Vec3, series: VolumeGeometry): Omit<LesionSegmentation, 'provenance'> {
  const offset = [0, 1, 2].map((a) => Math.min(series.dims[a] - 1, Math.max(0, Math.round(seed[a])))) as [number, number, number];
  return {
    outcome: 'nothing-found',
    mask: { offset, dims: [0, 0, 0], data: new Uint8Array(0) },
    voxelCount: 0,
    volumeMm3: 0,
    meanProbability: 0,
    reachesVoiEdge: false,
  };
}

/** A box prompt bounds the lesion in-plane: drop voxels outside the drawn box (plus a 2 mm allowance for the rim). */
function clipToBox(
  mask: Uint8Array,
  size: readonly [number, number, number],
  offset: readonly [number, number, number],
  series: VolumeGeometry,
  a: Vec3,
  b: Vec3,
): void {
  const pa = patientToVoxel(series, a);
  const pb = patientToVoxel(series, b);
  const allowance = [2 / series.spacingMm[0], 2 / series.spacingMm[1]];
  const xmin = Math.min(pa[0], pb[0]) - allowance[0] - offset[0];
  const xmax = Math.max(pa[0], pb[0]) + allowance[0] - offset[0];
  const ymin = Math.min(pa[1], pb[1]) - allowance[1] - offset[1];
  const ymax = Math.max(pa[1], pb[1]) + allowance[1] - offset[1];
  const [w, h, d] = size;
  for (let z = 0, v = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, v++) if (x < xmin || x > xmax || y < ymin || y > ymax) mask[v] = 0;
}

function cropToContent(mask: Uint8Array, size: readonly [number, number, number], offset: readonly [number, number, number]): LesionMask {
  const [w, h, d] = size;
  const lo = [w, h, d];
  const hi = [-1, -1, -1];
  for (let z = 0, v = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, v++) {
        if (!mask[v]) continue;
        if (x < lo[0]) lo[0] = x;
        if (y < lo[1]) lo[1] = y;
        if (z < lo[2]) lo[2] = z;
        if (x > hi[0]) hi[0] = x;
        if (y > hi[1]) hi[1] = y;
        if (z > hi[2]) hi[2] = z;
      }
  const dims = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] as [number, number, number];
  const data = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++) {
      const src = lo[0] + (y + lo[1]) * w + (z + lo[2]) * w * h;
      data.set(mask.subarray(src, src + dims[0]), y * dims[0] + z * dims[0] * dims[1]);
    }
  return { offset: [offset[0] + lo[0], offset[1] + lo[1], offset[2] + lo[2]], dims, data };
}
