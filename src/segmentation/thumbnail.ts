// A PNG thumbnail of the measured axial slice: the image under a display window, the mask outline, and the long and
// short axis drawn on top, so a reader (or a QC report) sees at a glance what the automatic measurement measured.
// The field of view is a square in millimetres around the lesion, resampled to square output pixels (nearest
// neighbour), so anisotropic pixels do not distort the lesion's shape; the axes are drawn at their exact positions.
import { PNG } from 'pngjs';
import { DomainError } from '../domain/errors.js';
import { assertMaskFits } from '../domain/mask/binary-mask.js';
import { type CaliperLine } from '../domain/measurement/lesion-measurement.js';
import { type Vec3, type Volume } from '../domain/volume.js';

export type Rgb = readonly [number, number, number];

export interface ThumbnailOptions {
  /** display window (DICOM PS3.3 C.11.2.1.2.1, linear): centre and width in modality units (HU for CT) */
  readonly windowCenter: number;
  readonly windowWidth: number;
  /** side of the square output, pixels (default 256) */
  readonly sizePx?: number;
  /** context shown around the lesion on each side, mm (default 15) */
  readonly marginMm?: number;
  readonly outlineColor?: Rgb;
  readonly longAxisColor?: Rgb;
  readonly shortAxisColor?: Rgb;
  /** stroke width of the axis lines, output pixels (default 2) */
  readonly lineWidthPx?: number;
}

export interface MeasuredSlice {
  readonly k: number;
  readonly longAxis: CaliperLine;
  readonly shortAxis?: CaliperLine;
}

export const DEFAULT_THUMBNAIL_COLORS = {
  outline: [255, 210, 0] as Rgb,
  longAxis: [255, 60, 60] as Rgb,
  shortAxis: [60, 170, 255] as Rgb,
};

/** Where the thumbnail looks: output pixel (u, v) shows in-plane millimetres (x0Mm + (u+0.5)*mmPerPx, y0Mm + ...). */
export interface ThumbnailFrame {
  readonly x0Mm: number;
  readonly y0Mm: number;
  readonly mmPerPx: number;
  readonly sizePx: number;
}

/** Output pixel coordinates (continuous) of a voxel position (i, j) on the measured slice. */
export function voxelToThumbnailPx(frame: ThumbnailFrame, volume: Volume, voxel: Vec3): [number, number] {
  return [
    (voxel[0] * volume.spacingMm[0] - frame.x0Mm) / frame.mmPerPx - 0.5,
    (voxel[1] * volume.spacingMm[1] - frame.y0Mm) / frame.mmPerPx - 0.5,
  ];
}

export function thumbnailFrame(
  volume: Volume,
  mask: Uint8Array,
  measured: MeasuredSlice,
  sizePx = 256,
  marginMm = 15,
): ThumbnailFrame {
  const [nx, ny] = volume.dims;
  const [sx, sy] = volume.spacingMm;
  // The lesion's extent on the slice in mm (pixel edges), together with the axis endpoints.
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  const base = measured.k * nx * ny;
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      if (mask[base + j * nx + i] === 0) continue;
      xMin = Math.min(xMin, (i - 0.5) * sx);
      xMax = Math.max(xMax, (i + 0.5) * sx);
      yMin = Math.min(yMin, (j - 0.5) * sy);
      yMax = Math.max(yMax, (j + 0.5) * sy);
    }
  for (const line of [measured.longAxis, measured.shortAxis]) {
    if (!line) continue;
    for (const v of [line.fromVoxel, line.toVoxel]) {
      xMin = Math.min(xMin, v[0] * sx);
      xMax = Math.max(xMax, v[0] * sx);
      yMin = Math.min(yMin, v[1] * sy);
      yMax = Math.max(yMax, v[1] * sy);
    }
  }
  const side = Math.max(xMax - xMin, yMax - yMin) + 2 * marginMm;
  const cx = (xMin + xMax) / 2;
  const cy = (yMin + yMax) / 2;
  return { x0Mm: cx - side / 2, y0Mm: cy - side / 2, mmPerPx: side / sizePx, sizePx };
}

function windowToByte(value: number, center: number, width: number): number {
  // PS3.3 C.11.2.1.2.1: linear VOI LUT function.
  const lo = center - 0.5 - (width - 1) / 2;
  const hi = center - 0.5 + (width - 1) / 2;
  if (value <= lo) return 0;
  if (value > hi) return 255;
  return Math.round(((value - (center - 0.5)) / (width - 1) + 0.5) * 255);
}

/** Renders the measured slice to a PNG (RGBA). Does not write anything: the caller stores the Buffer. */
export function renderMeasuredSliceThumbnail(
  volume: Volume,
  mask: Uint8Array,
  measured: MeasuredSlice,
  options: ThumbnailOptions,
): Buffer {
  assertMaskFits(mask, volume.dims);
  const [nx, ny, nz] = volume.dims;
  if (!Number.isInteger(measured.k) || measured.k < 0 || measured.k >= nz) {
    throw new DomainError('VALIDATION_FAILED', `slice ${measured.k} is outside the volume`);
  }
  if (!(options.windowWidth >= 1)) throw new DomainError('VALIDATION_FAILED', 'window width must be at least 1');
  const sizePx = options.sizePx ?? 256;
  if (!Number.isInteger(sizePx) || sizePx < 16 || sizePx > 2048) {
    throw new DomainError('VALIDATION_FAILED', 'thumbnail size must be an integer from 16 to 2048 pixels');
  }
  const frame = thumbnailFrame(volume, mask, measured, sizePx, options.marginMm ?? 15);
  const [sx, sy] = volume.spacingMm;
  const base = measured.k * nx * ny;
  // Source voxel of each output pixel (-1 outside the grid).
  const source = new Int32Array(sizePx * sizePx);
  for (let v = 0; v < sizePx; v++) {
    const j = Math.round((frame.y0Mm + (v + 0.5) * frame.mmPerPx) / sy);
    for (let u = 0; u < sizePx; u++) {
      const i = Math.round((frame.x0Mm + (u + 0.5) * frame.mmPerPx) / sx);
      source[v * sizePx + u] = i >= 0 && j >= 0 && i < nx && j < ny ? base + j * nx + i : -1;
    }
  }
  const png = new PNG({ width: sizePx, height: sizePx });
  const put = (u: number, v: number, c: Rgb) => {
    if (u < 0 || v < 0 || u >= sizePx || v >= sizePx) return;
    const o = (v * sizePx + u) * 4;
    png.data[o] = c[0];
    png.data[o + 1] = c[1];
    png.data[o + 2] = c[2];
    png.data[o + 3] = 255;
  };
  const inside = (u: number, v: number) => {
    if (u < 0 || v < 0 || u >= sizePx || v >= sizePx) return false;
    const s = source[v * sizePx + u];
    return s >= 0 && mask[s] !== 0;
  };
  for (let v = 0; v < sizePx; v++)
    for (let u = 0; u < sizePx; u++) {
      const s = source[v * sizePx + u];
      const g = s < 0 ? 0 : windowToByte(volume.voxels[s], options.windowCenter, options.windowWidth);
      put(u, v, [g, g, g]);
    }
  // Outline: inside pixels with an outside 4-neighbour (one pixel wide, on the mask's inner edge).
  const outline = options.outlineColor ?? DEFAULT_THUMBNAIL_COLORS.outline;
  for (let v = 0; v < sizePx; v++)
    for (let u = 0; u < sizePx; u++) {
      if (inside(u, v) && (!inside(u - 1, v) || !inside(u + 1, v) || !inside(u, v - 1) || !inside(u, v + 1))) {
        put(u, v, outline);
      }
    }
  const width = options.lineWidthPx ?? 2;
  const drawLine = (line: CaliperLine, color: Rgb) => {
    const [u0, v0] = voxelToThumbnailPx(frame, volume, line.fromVoxel);
    const [u1, v1] = voxelToThumbnailPx(frame, volume, line.toVoxel);
    const steps = Math.max(1, Math.ceil(2 * Math.hypot(u1 - u0, v1 - v0)));
    const lo = -Math.floor((width - 1) / 2);
    for (let s = 0; s <= steps; s++) {
      const u = Math.round(u0 + ((u1 - u0) * s) / steps);
      const v = Math.round(v0 + ((v1 - v0) * s) / steps);
      for (let a = lo; a < lo + width; a++) for (let b = lo; b < lo + width; b++) put(u + a, v + b, color);
    }
  };
  drawLine(measured.longAxis, options.longAxisColor ?? DEFAULT_THUMBNAIL_COLORS.longAxis);
  if (measured.shortAxis) drawLine(measured.shortAxis, options.shortAxisColor ?? DEFAULT_THUMBNAIL_COLORS.shortAxis);
  return PNG.sync.write(png);
}
