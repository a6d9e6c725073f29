// Builds a model's input from a series: the VOI (the card's size and spacing, on the series' own axes, centred on
// the prompt), the image resampled onto it and normalised as the card says, and the prompt channel.
import { type Vec3, type Volume, type VolumeGeometry, patientToVoxel } from '../domain/volume.js';
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
  }
}

export interface ModelInput {
  readonly voi: VolumeGeometry;
  /** [C, z, y, x] float32, channels in the card's order */
  readonly tensor: Float32Array;
}

export function buildModelInput(series: Volume, centreMm: Vec3, clickMm: Vec3, card: ModelCard): ModelInput {
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
  const [nx, ny, nz] = dims;
  const c = [0, 1, 2].map((a) => Math.min(dims[a] - 1, Math.max(0, Math.round(clickVoxel[a]))));
  let sum = 0;
  let cnt = 0;
  for (let z = Math.max(0, c[2] - 1); z <= Math.min(nz - 1, c[2] + 1); z++)
    for (let y = Math.max(0, c[1] - 1); y <= Math.min(ny - 1, c[1] + 1); y++)
      for (let x = Math.max(0, c[0] - 1); x <= Math.min(nx - 1, c[0] + 1); x++) (sum += hu[x + y * nx + z * nx * ny]), (cnt += 1);
  const ref = sum / cnt;
  for (let i = 0; i < out.length; i++) {
    const v = (hu[i] - ref) / scaleHu;
    out[i] = v < -limit ? -limit : v > limit ? limit : v;
  }
}
