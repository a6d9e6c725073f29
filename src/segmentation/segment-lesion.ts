// Promptable lesion segmentation of one series: VOI around the prompt -> model -> probability resampled back onto
// the series' voxel grid -> threshold -> the connected component under the prompt. Each result carries the model's
// id, version, sha256 and the execution provider that ran it (architecture.md, "Models are data").
import { largestConnectedComponent } from '../domain/mask/connected-component.js';
import { componentAt, keepNear, maskExtentVoxels, meanOver, overlapping, ringMedianHu, touchesGridEdge } from '../domain/mask/plane-mask.js';
import { type Vec3, type Volume, type VolumeGeometry, patientToVoxel } from '../domain/volume.js';
import { DomainError } from '../domain/errors.js';
import type { ModelCard } from './model-card.js';
import { type LesionPrompt, promptCentreMm } from './lesion-prompt.js';
import { type ModelInput, type SlicePrompt, buildModelInput, buildSliceModelInput, sliceGeometry, sliceHu, sliceReferenceHu } from './model-input.js';
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

/** The model input of a 3D (NCDHW) model; a 2D model is run slice by slice (propagateSlices). */
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

/**
 * How a caller steers a running segmentation: `beforeInference` runs before each model run (one for a 3D model, one
 * per slice of a walk) and may throw to end the segmentation there. The worker uses it for cancellation, so that a
 * cancelled job's thread stops between two runs instead of being terminated inside onnxruntime.
 */
export interface SegmentationControl {
  readonly beforeInference?: () => void;
}

/** The whole pipeline on one session: what workers/segment.ts runs per job. */
export async function segmentLesion(series: Volume, prompt: LesionPrompt, ms: ModelSession, control: SegmentationControl = {}): Promise<LesionSegmentation> {
  if (ms.card.input.layout === 'NCHW') {
    const stack = await propagateSlices(series, prompt, ms, control);
    return { ...lesionMaskFromProbability(series, stack.voi, stack.probability, ms.card, prompt), provenance: provenanceOf(ms) };
  }
  const input = prepareLesionInput(series, prompt, ms.card);
  control.beforeInference?.();
  const prob = await runModel(ms, input.tensor);
  return { ...lesionMaskFromProbability(series, input.voi, prob, ms.card, prompt), provenance: provenanceOf(ms) };
}

/** The slices a 2D model segmented, stacked into one VOI on the series' slices (what lesionMaskFromProbability reads). */
export interface SliceStack {
  readonly voi: VolumeGeometry;
  readonly probability: Float32Array;
  /** the in-plane model spacing the walk used (mm) */
  readonly spacingMm: number;
}

/**
 * Slice propagation with a 2D (NCHW) model (model-card.ts, slicePropagation): the click's slice is segmented with the
 * click as the prompt, at the card's spacing first, then at the spacing that gives the lesion about
 * lesionDiameterVoxels model voxels; then the walk goes slice by slice up and down the series, each slice prompted
 * with the previous slice's mask, keeping on each slice what overlaps the previous slice's mask, until nothing is
 * left, WALK_EXTENT_FACTOR times the lesion's extent on the click's slice or maxExtentMm is reached, or a slice's mask
 * no longer looks like the clicked lesion (STOP_CONTRAST_FRACTION). A lesion that reaches the model grid's edge on the
 * click's slice is segmented again at twice the spacing (up to edgeMaxSpacingMm) before the walk. Every slice's grid
 * shares the click's in-plane position and the spacing, so the slices stack into one regular VOI on the series' axes,
 * its z the series' own slices: resampling it back is in-plane only.
 */
export async function propagateSlices(series: Volume, prompt: LesionPrompt, ms: ModelSession, control: SegmentationControl = {}): Promise<SliceStack> {
  const card = ms.card;
  assertPromptable(card);
  const sp = card.input.slicePropagation;
  if (card.input.layout !== 'NCHW' || !sp) throw new RangeError(`model '${card.id}' is not a slice-propagation model`);
  const threshold = card.output.threshold ?? 0.5;
  const [nx, ny] = card.input.sizeVoxels;
  const plane = nx * ny;
  const click = promptCentreMm(prompt);
  const kClick = Math.min(series.dims[2] - 1, Math.max(0, Math.round(patientToVoxel(series, click)[2])));
  const { lesionDiameterVoxels, minSpacingMm, maxSpacingMm } = sp.zoom;
  const clampSpacing = (s: number) => Math.min(maxSpacingMm, Math.max(minSpacingMm, s));

  const runSlice = async (k: number, s: number, p: SlicePrompt, ref: number): Promise<Float32Array> => {
    const g = sliceGeometry(series, click, k, s, card);
    const input = buildSliceModelInput(series, g, p, ref, card);
    control.beforeInference?.();
    return runModel(ms, input);
  };
  const clickSlice = async (s: number) => {
    const g = sliceGeometry(series, click, kClick, s, card);
    const ref = sliceReferenceHu(series, g, click);
    const prob = await runSlice(kClick, s, { kind: 'click', clickMm: click }, ref);
    const cv = patientToVoxel(g, click);
    const kept = componentAt(prob, nx, ny, threshold, [cv[0], cv[1]]);
    // how the clicked lesion stands out: its mean HU on the click's slice (the whole mask, steadier than the 3x3
    // reference of the model's input) minus the median of a 1-4 voxel ring around it
    const hu = sliceHu(series, g);
    const lesionHu = meanOver(hu, kept);
    const contrast = lesionHu - ringMedianHu(hu, kept, nx, ny, 4);
    return { prob, kept, ref, lesionHu, contrast };
  };
  /** a slice's mask whose mean HU lies nearer its surroundings than the clicked lesion is not the lesion: the walk stops */
  const standsOut = (k: number, s: number, kept: Uint8Array, lesionHu: number, contrast: number): boolean => {
    if (!Number.isFinite(contrast) || !Number.isFinite(lesionHu) || contrast === 0) return true;
    const mean = meanOver(sliceHu(series, sliceGeometry(series, click, k, s, card)), kept);
    return !Number.isFinite(mean) || Math.abs(mean - lesionHu) <= STOP_CONTRAST_FRACTION * Math.abs(contrast);
  };

  // size the lesion at the card's spacing, then zoom so that it spans about lesionDiameterVoxels
  const base = clampSpacing(card.input.spacingMm[0]);
  let first = await clickSlice(base);
  let spacing = base;
  const extent = maskExtentVoxels(first.kept, nx, ny);
  const wanted = clampSpacing(extent > 0 ? (extent * base) / lesionDiameterVoxels : minSpacingMm);
  if (Math.abs(wanted - base) > 0.05 * base) {
    spacing = wanted;
    first = await clickSlice(spacing);
  }

  for (;;) {
    const slices = new Map<number, Float32Array>();
    const touchesEdge = touchesGridEdge(first.kept, nx, ny);
    slices.set(kClick, keepNear(first.prob, first.kept, nx, ny));
    if (first.kept.some((v) => v) && !(touchesEdge && spacing < sp.edgeMaxSpacingMm)) {
      // a lesion reaches at most WALK_EXTENT_FACTOR times its extent on the click's slice from that slice (and
      // maxExtentMm): a walk that goes on beyond has left the lesion along a structure it touches
      const extentMm = maskExtentVoxels(first.kept, nx, ny) * spacing;
      const reachMm = Math.min(sp.maxExtentMm, WALK_EXTENT_FACTOR * extentMm + series.spacingMm[2]);
      const maxSteps = Math.max(1, Math.floor(reachMm / series.spacingMm[2]));
      for (const dir of [-1, 1]) {
        let prev = first.kept;
        for (let step = 1; step <= maxSteps; step++) {
          const k = kClick + dir * step;
          if (k < 0 || k >= series.dims[2]) break;
          const prob = await runSlice(k, spacing, { kind: 'mask', mask: prev }, first.ref);
          let kept = overlapping(prob, nx, ny, threshold, prev);
          if (kept.some((v) => v) && !standsOut(k, spacing, kept, first.lesionHu, first.contrast)) kept = new Uint8Array(plane);
          slices.set(k, keepNear(prob, kept, nx, ny));
          if (!kept.some((v) => v)) break;
          prev = kept;
        }
      }
    }
    if (touchesEdge && spacing < sp.edgeMaxSpacingMm) {
      spacing = Math.min(sp.edgeMaxSpacingMm, 2 * spacing);
      first = await clickSlice(spacing);
      continue;
    }
    const ks = [...slices.keys()].sort((a, b) => a - b);
    const k0 = ks[0];
    const depth = ks[ks.length - 1] - k0 + 1;
    const probability = new Float32Array(plane * depth);
    for (const [k, p] of slices) probability.set(p, (k - k0) * plane);
    const g0 = sliceGeometry(series, click, k0, spacing, card);
    return { voi: { ...g0, dims: [nx, ny, depth] }, probability, spacingMm: spacing };
  }
}

/** How far the walk may go from the click's slice, in multiples of the lesion's extent on that slice. */
const WALK_EXTENT_FACTOR = 1.5;

/**
 * The walk stops at a slice whose mask's mean HU differs from the clicked lesion's (its mask's mean on the click's
 * slice) by more than this fraction of the lesion's contrast with its surroundings (the median of a ring around its
 * mask on the click's slice): the mask has left the lesion for its surroundings.
 */
const STOP_CONTRAST_FRACTION = 0.6;

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
