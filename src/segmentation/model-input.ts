// Builds a model's input from a series: the VOI (the card's size and spacing, on the series' own axes, centred on
// the prompt), the image resampled onto it and normalised as the card says, and the prompt channel.
import { type Vec3, type Volume, type VolumeGeometry, patientToVoxel, voxelToPatient } from '../domain/volume.js';
import type { IntensityNormalisation, ModelCard, PromptEncoding } from './model-card.js';
import { indexAffine, resampleBox } from './resample.js';

/** The model grid around a centre: axes of the series (no reslicing across oblique planes), card spacing and size. */
export function voiGeometry(series: VolumeGeometry, centreMm: Vec3, card: ModelCard): VolumeGeometry {
  const dims = card.input.sizeVoxels;
  const sp = card.input.spacingMm;
  const dirs = [series.rowDir, series.colDir, series.sliceDir];
  const origin = [0, 1, 2].map(
    (c) => centreMm[c] - dirs.reduce((acc, dir, a) => acc + ((dims[a] - 1) / 2) * sp[a] * dir[c], 0),
  ) as unknown as Vec3;
  return {
    dims: [dims[0], dims[1], dims[2]],
    spacingMm: [sp[0], sp[1], sp[2]],
    originMm: origin,
    rowDir: series.rowDir,
    colDir: series.colDir,
    sliceDir: series.sliceDir,
  };
}

export function normaliseIntensity(values: Float32Array, n: IntensityNormalisation): void {
  switch (n.kind) {
    case 'window-linear': {
      const { lowerHu: lo, upperHu: hi, offset, scale } = n;
      for (let i = 0; i < values.length; i++) {
        const v = values[i] < lo ? lo : values[i] > hi ? hi : values[i];
        values[i] = (v - offset) / scale;
      }
      return;
    }
    case 'min-max': {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < values.length; i++) {
        if (values[i] < lo) lo = values[i];
        if (values[i] > hi) hi = values[i];
      }
      const range = hi - lo || 1;
      for (let i = 0; i < values.length; i++) values[i] = (values[i] - lo) / range;
      return;
    }
  }
}

/** Prompt channel on the VOI grid: a Gaussian of the distance (mm) from the click, written into `out`. */
export function writePromptChannel(out: Float32Array, voi: VolumeGeometry, clickVoxel: Vec3, enc: PromptEncoding): void {
  switch (enc.kind) {
    case 'none':
      return;
    case 'gaussian-heatmap': {
      const [nx, ny, nz] = voi.dims;
      const [sx, sy, sz] = voi.spacingMm;
      // separable: exp(-(dx^2 + dy^2 + dz^2) / 2s^2) = gx * gy * gz, three short tables instead of n^3 exps
      const k = -1 / (2 * enc.sigmaMm * enc.sigmaMm);
      const table = (n: number, c: number, s: number) => Float64Array.from({ length: n }, (_, i) => Math.exp(((i - c) * s) ** 2 * k));
      const gx = table(nx, clickVoxel[0], sx);
      const gy = table(ny, clickVoxel[1], sy);
      const gz = table(nz, clickVoxel[2], sz);
      let v = 0;
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++) {
          const gyz = gy[y] * gz[z];
          for (let x = 0; x < nx; x++, v++) out[v] = gx[x] * gyz;
        }
      return;
    }
    case 'previous-slice-mask': {
      // the click's slice of a 2D model: a Gaussian of the in-plane distance, sigma in model voxels
      const [nx, ny, nz] = voi.dims;
      const k = -1 / (2 * enc.clickSigmaVoxels * enc.clickSigmaVoxels);
      const gx = Float64Array.from({ length: nx }, (_, i) => Math.exp((i - clickVoxel[0]) ** 2 * k));
      const gy = Float64Array.from({ length: ny }, (_, i) => Math.exp((i - clickVoxel[1]) ** 2 * k));
      let v = 0;
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, v++) out[v] = gx[x] * gy[y];
      return;
    }
  }
}

/**
 * The model grid of a 2D (NCHW) model on series slice k: the card's in-plane size at `spacingMm`, on the series'
 * row and column directions, centred on the point's projection onto the slice (the click's in-plane position). The
 * geometry is a one-slice volume lying exactly on the series slice, so resampling onto it is bilinear in-plane.
 */
export function sliceGeometry(series: VolumeGeometry, centreMm: Vec3, k: number, spacingMm: number, card: ModelCard): VolumeGeometry {
  const [nx, ny] = card.input.sizeVoxels;
  const c = patientToVoxel(series, centreMm);
  const onSlice = voxelToPatient(series, [c[0], c[1], k]);
  const hx = ((nx - 1) / 2) * spacingMm;
  const hy = ((ny - 1) / 2) * spacingMm;
  const origin = [0, 1, 2].map((a) => onSlice[a] - hx * series.rowDir[a] - hy * series.colDir[a]) as unknown as Vec3;
  return {
    dims: [nx, ny, 1],
    spacingMm: [spacingMm, spacingMm, series.spacingMm[2]],
    originMm: origin,
    rowDir: series.rowDir,
    colDir: series.colDir,
    sliceDir: series.sliceDir,
  };
}

/** What prompts one slice of a 2D model: the click (its slice) or the previous slice's 0/1 mask on the same grid. */
export type SlicePrompt = { readonly kind: 'click'; readonly clickMm: Vec3 } | { readonly kind: 'mask'; readonly mask: Uint8Array };

/**
 * One slice's model input ([C, y, x]) for a 2D card: the image resampled onto `slice` (sliceGeometry), the
 * click-relative channel against `referenceHu` (the click's slice reference, kept for every slice of the walk: see
 * sliceReferenceHu), and the prompt channel.
 */
export function buildSliceModelInput(series: Volume, slice: VolumeGeometry, prompt: SlicePrompt, referenceHu: number, card: ModelCard): Float32Array {
  const [nx, ny] = slice.dims;
  const n = nx * ny;
  const hu = sliceHu(series, slice);
  const tensor = new Float32Array(n * card.input.channels.length);
  card.input.channels.forEach((ch, c) => {
    const view = tensor.subarray(c * n, (c + 1) * n);
    switch (ch) {
      case 'image':
        view.set(hu);
        normaliseIntensity(view, card.input.intensity);
        return;
      case 'image-relative': {
        const rel = card.input.relativeIntensity;
        if (!rel) throw new RangeError('image-relative channel without relativeIntensity (the card validator refuses this)');
        for (let i = 0; i < n; i++) {
          const v = (hu[i] - referenceHu) / rel.scaleHu;
          view[i] = v < -rel.limit ? -rel.limit : v > rel.limit ? rel.limit : v;
        }
        return;
      }
      case 'prompt':
        if (prompt.kind === 'click') writePromptChannel(view, slice, patientToVoxel(slice, prompt.clickMm), card.input.prompt);
        else for (let i = 0; i < n; i++) view[i] = prompt.mask[i] ? 1 : 0;
        return;
    }
  });
  return tensor;
}

/** The series resampled onto a slice grid (HU, clamped at the series' edges). */
export function sliceHu(series: Volume, slice: VolumeGeometry): Float32Array {
  return resampleBox(series.voxels, series.dims, indexAffine(slice, series), [0, 0, 0], slice.dims, { kind: 'clamp' });
}

/**
 * The reference of the click-relative channel on the click's slice: mean HU of the 3x3 model voxels around the
 * click's voxel, rounded half up (the slice grid is centred on the click, so it sits at (n - 1) / 2 = 63.5 of 128
 * and the 3x3 block is centred on voxel 64, as in the training generator: rounding must not follow float noise).
 */
export function sliceReferenceHu(series: Volume, slice: VolumeGeometry, clickMm: Vec3): number {
  const hu = sliceHu(series, slice);
  const c = patientToVoxel(slice, clickMm);
  const halfUp = (v: number) => Math.floor(v + 0.5 + 1e-6);
  return referenceOf(hu, slice.dims, [halfUp(c[0]), halfUp(c[1]), 0]);
}

function referenceOf(hu: Float32Array, dims: readonly [number, number, number], clickVoxel: Vec3): number {
  const [nx, ny, nz] = dims;
  const c = [0, 1, 2].map((a) => Math.min(dims[a] - 1, Math.max(0, Math.round(clickVoxel[a]))));
  let sum = 0;
  let cnt = 0;
  for (let z = Math.max(0, c[2] - 1); z <= Math.min(nz - 1, c[2] + 1); z++)
    for (let y = Math.max(0, c[1] - 1); y <= Math.min(ny - 1, c[1] + 1); y++)
      for (let x = Math.max(0, c[0] - 1); x <= Math.min(nx - 1, c[0] + 1); x++) (sum += hu[x + y * nx + z * nx * ny]), (cnt += 1);
  return sum / cnt;
}

export interface ModelInput {
  readonly voi: VolumeGeometry;
  /** [C, z, y, x] float32, channels in the card's order */
  readonly tensor: Float32Array;
}

export function buildModelInput(series: Volume, centreMm: Vec3, clickMm: Vec3, card: ModelCard): ModelInput {
  if (card.input.layout !== 'NCDHW') throw new RangeError(`model '${card.id}' reads slices (${card.input.layout}): use buildSliceModelInput`);
  const voi = voiGeometry(series, centreMm, card);
  const [nx, ny, nz] = voi.dims;
  const n = nx * ny * nz;
  const tensor = new Float32Array(n * card.input.channels.length);
  const clickVoxel = patientToVoxel(voi, clickMm);
  let hu: Float32Array | undefined;
  const huOnVoi = () => (hu ??= resampleBox(series.voxels, series.dims, indexAffine(voi, series), [0, 0, 0], voi.dims, { kind: 'clamp' }));
  card.input.channels.forEach((ch, c) => {
    const view = tensor.subarray(c * n, (c + 1) * n);
    switch (ch) {
      case 'image': {
        view.set(huOnVoi());
        normaliseIntensity(view, card.input.intensity);
        return;
      }
      case 'image-relative': {
        const rel = card.input.relativeIntensity;
        if (!rel) throw new RangeError('image-relative channel without relativeIntensity (the card validator refuses this)');
        writeRelativeChannel(view, huOnVoi(), voi.dims, clickVoxel, rel.scaleHu, rel.limit);
        return;
      }
      case 'prompt':
        writePromptChannel(view, voi, clickVoxel, card.input.prompt);
        return;
    }
  });
  return { voi, tensor };
}

/** (HU - reference) / scale clipped to +-limit; reference = mean HU of the 3x3x3 voxels around the click's voxel. */
export function writeRelativeChannel(
  out: Float32Array,
  hu: Float32Array,
  dims: readonly [number, number, number],
  clickVoxel: Vec3,
  scaleHu: number,
  limit: number,
): void {
  const ref = referenceOf(hu, dims, clickVoxel);
  for (let i = 0; i < out.length; i++) {
    const v = (hu[i] - ref) / scaleHu;
    out[i] = v < -limit ? -limit : v > limit ? limit : v;
  }
}
