// Follow-up propagation: find a lesion segmented at an earlier timepoint in the subject's new series, segment it
// there and propose its measurement with a confidence. The two scans are aligned locally around the lesion by
// translation only (normalised cross-correlation, coarse then fine): between timepoints the patient is rigidly
// shifted by table position and breathing, and near one lesion a translation is what matters. When nothing
// lesion-like is under the mapped position the answer is "not found", never the nearest other structure: the
// lesion's neighbourhood must match (a gone lesion leaves a neighbourhood that correlates with nothing), and what the
// model outlines there must stand out from its surroundings as the baseline lesion did (a promptable model asked at
// a point of plain lung or liver may still outline a blob there: the image, not the model, decides it is a lesion).
import type { LesionMeasurement } from '../domain/measurement/index.js';
import { type Vec3, type Volume, type VolumeGeometry, voxelToPatient } from '../domain/volume.js';
import { measureLesionOnSeries } from './lesion-on-series.js';
import type { ModelCard } from './model-card.js';
import type { ModelSession } from './onnx-session.js';
import { indexAffine, resampleBox } from './resample.js';
import { type LesionMask, type LesionSegmentation, type SegmentationControl, segmentLesion } from './segment-lesion.js';
import { modelReachHalfMm } from './volume-crop.js';

export const PROPAGATION_OUTCOMES = ['found', 'not-found'] as const;
export type PropagationOutcome = (typeof PROPAGATION_OUTCOMES)[number];

export interface LesionPropagation {
  readonly outcome: PropagationOutcome;
  /** where the baseline lesion's centre maps to in the follow-up (patient mm) */
  readonly locatedAtMm: Vec3;
  /** translation found from baseline to follow-up (mm) */
  readonly shiftMm: Vec3;
  /** normalised cross-correlation of the lesion's neighbourhood at that shift, -1..1 */
  readonly matchScore: number;
  /** 0..1: match score times the model's mean probability over the mask; 0 when not found */
  readonly confidence: number;
  readonly segmentation?: LesionSegmentation;
  /** the follow-up lesion measured on the follow-up grid (src/domain/measurement) */
  readonly measurement?: LesionMeasurement;
  readonly reason: string;
}

export interface PropagationOptions {
  /** half-width of the coarse search, mm (default 40) */
  readonly searchMm?: number;
  /** a follow-up lesion smaller than this fraction of the baseline volume counts as gone (default 0.02) */
  readonly minVolumeFraction?: number;
  /** below this match score of the lesion's neighbourhood the lesion could not be located (default 0.15) */
  readonly minMatchScore?: number;
  /** the follow-up lesion's contrast must reach this fraction of the baseline's, same sign (default 0.4) */
  readonly minContrastFraction?: number;
}

/**
 * How a lesion stands out from its surroundings (HU for CT): its brightest tenth (darkest, for a lesion darker than
 * its surroundings: `direction` -1, or the sign of mean(mask) - mean(surroundings) when not given) minus the mean of
 * its surroundings, the voxels outside the mask within `rimMm` of its bounding box. A tenth, not the mean, so that a
 * mask drawn larger than a small lesion still shows the lesion, while a blob outlined in plain tissue shows noise.
 */
export function lesionContrastHu(volume: Volume, mask: LesionMask, direction?: 1 | -1, rimMm = 4): number {
  const [w, h, d] = mask.dims;
  const [nx, ny, nz] = volume.dims;
  const inside: number[] = [];
  for (let z = 0, v = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, v++) if (mask.data[v]) inside.push(volume.voxels[mask.offset[0] + x + (mask.offset[1] + y) * nx + (mask.offset[2] + z) * nx * ny]);
  if (inside.length === 0) return 0;
  const rim = [0, 1, 2].map((a) => Math.max(1, Math.ceil(rimMm / volume.spacingMm[a])));
  const inMask = (x: number, y: number, z: number) => x >= 0 && y >= 0 && z >= 0 && x < w && y < h && z < d && mask.data[x + y * w + z * w * h] === 1;
  let rimSum = 0;
  let rimN = 0;
  for (let z = -rim[2]; z < d + rim[2]; z++)
    for (let y = -rim[1]; y < h + rim[1]; y++)
      for (let x = -rim[0]; x < w + rim[0]; x++) {
        const gx = mask.offset[0] + x;
        const gy = mask.offset[1] + y;
        const gz = mask.offset[2] + z;
        if (gx < 0 || gy < 0 || gz < 0 || gx >= nx || gy >= ny || gz >= nz || inMask(x, y, z)) continue;
        rimSum += volume.voxels[gx + gy * nx + gz * nx * ny];
        rimN += 1;
      }
  if (rimN === 0) return 0;
  const surroundings = rimSum / rimN;
  const sign = direction ?? (inside.reduce((a, b) => a + b, 0) / inside.length >= surroundings ? 1 : -1);
  inside.sort((a, b) => a - b);
  const tenth = sign > 0 ? inside[Math.floor(0.9 * (inside.length - 1))] : inside[Math.ceil(0.1 * (inside.length - 1))];
  return tenth - surroundings;
}

/** Centre of mass (patient mm), volume and radius of a mask on a series grid. */
export function maskCentroid(series: VolumeGeometry, mask: LesionMask): { centreMm: Vec3; volumeMm3: number; radiusMm: number } {
  const [w, h, d] = mask.dims;
  let n = 0;
  const s = [0, 0, 0];
  for (let z = 0, v = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, v++) if (mask.data[v]) (n += 1), (s[0] += x), (s[1] += y), (s[2] += z);
  const c: Vec3 = n ? [mask.offset[0] + s[0] / n, mask.offset[1] + s[1] / n, mask.offset[2] + s[2] / n] : mask.offset;
  const [sx, sy, sz] = series.spacingMm;
  const radiusMm = Math.max(w * sx, h * sy, d * sz) / 2;
  return { centreMm: voxelToPatient(series, c), volumeMm3: n * sx * sy * sz, radiusMm };
}

/** Axis-aligned (series axes) cube grid of `size` voxels at `spacing` mm centred on a point. */
function cubeGrid(series: VolumeGeometry, centre: Vec3, size: number, spacing: number): VolumeGeometry {
  const half = ((size - 1) / 2) * spacing;
  const dirs = [series.rowDir, series.colDir, series.sliceDir];
  const origin = [0, 1, 2].map((c) => centre[c] - dirs.reduce((a, dir) => a + half * dir[c], 0)) as unknown as Vec3;
  return { dims: [size, size, size], spacingMm: [spacing, spacing, spacing], originMm: origin, rowDir: series.rowDir, colDir: series.colDir, sliceDir: series.sliceDir };
}

function sampleCube(vol: Volume, g: VolumeGeometry): Float32Array {
  const out = resampleBox(vol.voxels, vol.dims, indexAffine(g, vol), [0, 0, 0], g.dims, { kind: 'clamp' });
  // lung and bone dominate raw HU; clip to a soft-tissue-and-air range so the match follows anatomy, not outliers
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-1000, Math.min(400, out[i]));
  return out;
}

/**
 * Best integer shift (in grid voxels, within +-range) of template t (size m^3) inside search s (size (m+2r)^3) by
 * normalised cross-correlation.
 */
function bestShift(t: Float32Array, m: number, s: Float32Array, range: number): { shift: Vec3; ncc: number } {
  const n = m + 2 * range;
  let tm = 0;
  for (let i = 0; i < t.length; i++) tm += t[i];
  tm /= t.length;
  let tss = 0;
  const tc = new Float32Array(t.length);
  for (let i = 0; i < t.length; i++) (tc[i] = t[i] - tm), (tss += tc[i] * tc[i]);
  let best = { shift: [0, 0, 0] as Vec3, ncc: -Infinity };
  for (let dz = 0; dz <= 2 * range; dz++)
    for (let dy = 0; dy <= 2 * range; dy++)
      for (let dx = 0; dx <= 2 * range; dx++) {
        let sum = 0;
        let sum2 = 0;
        let cross = 0;
        for (let z = 0, v = 0; z < m; z++)
          for (let y = 0; y < m; y++) {
            const row = dx + (y + dy) * n + (z + dz) * n * n;
            for (let x = 0; x < m; x++, v++) {
              const val = s[row + x];
              sum += val;
              sum2 += val * val;
              cross += tc[v] * val;
            }
          }
        const cnt = t.length;
        const sVar = sum2 - (sum * sum) / cnt;
        const ncc = sVar > 1e-6 && tss > 1e-6 ? cross / Math.sqrt(sVar * tss) : 0;
        // prefer the smaller shift on ties (e.g. featureless regions)
        const better = ncc > best.ncc + 1e-9 || (Math.abs(ncc - best.ncc) <= 1e-9 && norm1(dx - range, dy - range, dz - range) < norm1(...best.shift));
        if (better) best = { shift: [dx - range, dy - range, dz - range], ncc };
      }
  return best;
}

const norm1 = (a: number, b: number, c: number) => Math.abs(a) + Math.abs(b) + Math.abs(c);

function add(a: Vec3, dirs: readonly Vec3[], shift: Vec3, spacing: number): Vec3 {
  return [0, 1, 2].map((c) => a[c] + dirs.reduce((acc, dir, k) => acc + shift[k] * spacing * dir[c], 0)) as unknown as Vec3;
}

// The neighbourhoods the search compares: coarse, a 96 mm cube on a 4 mm grid searched +-searchMm; fine, the lesion
// and a 10 mm rim on a 1.5 mm grid (at most 48 samples a side) searched +-6 mm around the coarse answer.
const COARSE_STEP = 4;
const COARSE_M = 24;
const FINE_STEP = 1.5;
const FINE_R = 4;
const FINE_MAX_M = 48;

/**
 * Half extents (mm, a cube on the baseline's axes around the baseline lesion's centre) of what propagateLesion reads:
 * of the baseline (the templates) and of the follow-up (the searches, then the model's VOI around the found
 * position). A caller may send crops of the two series that cover these (volume-crop.ts) instead of whole series.
 */
export function propagationReachMm(
  card: ModelCard,
  options: PropagationOptions = {},
  /** whether the follow-up lies on the baseline's axes (the usual axial series); else the VOI's diagonal is used */
  sameAxes = true,
): { baselineHalfMm: number; followUpHalfMm: number } {
  const searchMm = options.searchMm ?? 40;
  const coarseR = Math.ceil(searchMm / COARSE_STEP);
  const coarseShift = coarseR * COARSE_STEP;
  const template = Math.max(((COARSE_M - 1) / 2) * COARSE_STEP, ((FINE_MAX_M - 1) / 2) * FINE_STEP);
  const coarseSearch = ((COARSE_M + 2 * coarseR - 1) / 2) * COARSE_STEP;
  const fineSearch = coarseShift + ((FINE_MAX_M + 2 * FINE_R - 1) / 2) * FINE_STEP;
  // the VOI is a box on the follow-up's own axes around the located point: on other axes, its half diagonal bounds it
  const voiHalves = modelReachHalfMm(card);
  const voiHalf = sameAxes ? Math.max(...voiHalves) : Math.hypot(...voiHalves);
  const voi = coarseShift + FINE_R * FINE_STEP + voiHalf;
  return { baselineHalfMm: template, followUpHalfMm: Math.max(coarseSearch, fineSearch, voi) };
}

export async function propagateLesion(
  baseline: Volume,
  baselineMask: LesionMask,
  followUp: Volume,
  ms: ModelSession,
  options: PropagationOptions = {},
  control: SegmentationControl = {},
): Promise<LesionPropagation> {
  const searchMm = options.searchMm ?? 40;
  const minVolumeFraction = options.minVolumeFraction ?? 0.02;
  const minMatchScore = options.minMatchScore ?? 0.15;
  const minContrastFraction = options.minContrastFraction ?? 0.4;
  const base = maskCentroid(baseline, baselineMask);
  // both neighbourhoods are sampled on the baseline's axes, so a follow-up stored in another orientation still matches
  const dirs = [baseline.rowDir, baseline.colDir, baseline.sliceDir];

  // coarse: a 96 mm neighbourhood on a 4 mm grid, searched +-searchMm
  const coarseStep = COARSE_STEP;
  const coarseM = COARSE_M;
  const coarseR = Math.ceil(searchMm / coarseStep);
  const tCoarse = sampleCube(baseline, cubeGrid(baseline, base.centreMm, coarseM, coarseStep));
  const sCoarse = sampleCube(followUp, cubeGrid(baseline, base.centreMm, coarseM + 2 * coarseR, coarseStep));
  const coarse = bestShift(tCoarse, coarseM, sCoarse, coarseR);
  const afterCoarse = add(base.centreMm, dirs, coarse.shift, coarseStep);

  // fine: the lesion and a 10 mm rim on a 1.5 mm grid, searched +-6 mm around the coarse answer
  const fineStep = FINE_STEP;
  const fineM = Math.max(12, Math.min(FINE_MAX_M, Math.ceil((2 * base.radiusMm + 20) / fineStep)));
  const fineR = FINE_R;
  const tFine = sampleCube(baseline, cubeGrid(baseline, base.centreMm, fineM, fineStep));
  const sFine = sampleCube(followUp, cubeGrid(baseline, afterCoarse, fineM + 2 * fineR, fineStep));
  const fine = bestShift(tFine, fineM, sFine, fineR);
  const located = add(afterCoarse, dirs, fine.shift, fineStep);
  const shiftMm: Vec3 = [located[0] - base.centreMm[0], located[1] - base.centreMm[1], located[2] - base.centreMm[2]];
  const matchScore = Math.max(-1, Math.min(1, fine.ncc));

  const seg = await segmentLesion(followUp, { kind: 'point', pointMm: located }, ms, control);
  const notFound = (reason: string): LesionPropagation => ({ outcome: 'not-found', locatedAtMm: located, shiftMm, matchScore, confidence: 0, segmentation: seg, reason });
  if (matchScore < minMatchScore) {
    return notFound(`the lesion's neighbourhood matches nothing in the follow-up (match ${matchScore.toFixed(2)} < ${minMatchScore}): the lesion is gone or could not be located`);
  }
  if (seg.outcome === 'nothing-found') return notFound('no lesion under the mapped position');
  if (seg.volumeMm3 < minVolumeFraction * base.volumeMm3) return notFound('only a remnant far smaller than the baseline lesion');
  const found = maskCentroid(followUp, seg.mask);
  const dist = Math.hypot(found.centreMm[0] - located[0], found.centreMm[1] - located[1], found.centreMm[2] - located[2]);
  if (dist > base.radiusMm + 10) return notFound('the structure under the mapped position is centred elsewhere: not the same lesion');
  const before = lesionContrastHu(baseline, baselineMask);
  const now = lesionContrastHu(followUp, seg.mask, before >= 0 ? 1 : -1);
  if (Math.sign(now) !== Math.sign(before) || Math.abs(now) < minContrastFraction * Math.abs(before)) {
    return notFound(`what lies under the mapped position does not stand out from its surroundings (contrast ${now.toFixed(0)}, the earlier lesion's ${before.toFixed(0)}): the lesion is gone`);
  }
  const measurement = measureLesionOnSeries(followUp, seg.mask);
  const confidence = Math.max(0, matchScore) * seg.meanProbability;
  return { outcome: 'found', locatedAtMm: located, shiftMm, matchScore, confidence, segmentation: seg, measurement, reason: 'located by local alignment and segmented' };
}
