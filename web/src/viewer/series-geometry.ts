import type { components } from '../api/schema.js';

// A series' voxel grid in patient coordinates (DICOM LPS, mm), as GET .../timepoints/{id}/series gives it; the same
// convention as the server (src/domain/volume.ts): voxel (i, j, k) has i along rowDir (column index), j along colDir
// (row index), k along sliceDir, and its centre is origin + i*sx*rowDir + j*sy*colDir + k*sz*sliceDir. The viewer
// converts what the reader points at to patient mm with it, and draws masks and calipers back on the slices.

export type ImageSeries = components['schemas']['ImageSeries'];
export type Vec3 = [number, number, number];

export interface SeriesGeometry {
  /** [columns, rows, slices] */
  dims: [number, number, number];
  /** [column spacing (along rowDir), row spacing (along colDir), slice spacing (along sliceDir)] */
  spacingMm: Vec3;
  originMm: Vec3;
  rowDir: Vec3;
  colDir: Vec3;
  sliceDir: Vec3;
}

const isVec = (v: unknown, n: number): v is number[] => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** The series' geometry, or null when it has none the viewer can use (not assembled into a volume). */
export function geometryOf(series: Pick<ImageSeries, 'geometry'>): SeriesGeometry | null {
  const g = series.geometry;
  if (!g || !isVec(g.dims, 3) || !isVec(g.spacingMm, 3) || !isVec(g.originMm, 3) || !isVec(g.rowDir, 3) || !isVec(g.colDir, 3) || !isVec(g.sliceDir, 3)) return null;
  if (!g.dims.every((d) => Number.isInteger(d) && d > 0) || !g.spacingMm.every((s) => s > 0)) return null;
  return { dims: g.dims as Vec3, spacingMm: g.spacingMm as Vec3, originMm: g.originMm as Vec3, rowDir: g.rowDir as Vec3, colDir: g.colDir as Vec3, sliceDir: g.sliceDir as Vec3 };
}

export const dot = (a: readonly number[], b: readonly number[]): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const distanceMm = (a: readonly number[], b: readonly number[]): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

export function voxelToPatient(g: SeriesGeometry, [i, j, k]: readonly number[]): Vec3 {
  const [sx, sy, sz] = g.spacingMm;
  return [0, 1, 2].map((a) => g.originMm[a] + i * sx * g.rowDir[a] + j * sy * g.colDir[a] + k * sz * g.sliceDir[a]) as Vec3;
}

/** Inverse of voxelToPatient (the directions are orthonormal for every volume the server assembles). */
export function patientToVoxel(g: SeriesGeometry, p: readonly number[]): Vec3 {
  const d = [p[0] - g.originMm[0], p[1] - g.originMm[1], p[2] - g.originMm[2]];
  return [dot(d, g.rowDir) / g.spacingMm[0], dot(d, g.colDir) / g.spacingMm[1], dot(d, g.sliceDir) / g.spacingMm[2]];
}

/** Patient position of slice k's first voxel: Image Position (Patient) of that slice. */
export const slicePositionMm = (g: SeriesGeometry, k: number): Vec3 => voxelToPatient(g, [0, 0, k]);

/** The centre of slice k in patient coordinates. */
export const sliceCentreMm = (g: SeriesGeometry, k: number): Vec3 => voxelToPatient(g, [(g.dims[0] - 1) / 2, (g.dims[1] - 1) / 2, k]);

export const clampSlice = (g: SeriesGeometry, k: number): number => Math.min(g.dims[2] - 1, Math.max(0, Math.round(k)));

/**
 * What the reader pointed at, as a point in patient mm on slice k: a world point (from the viewport) is taken to
 * the voxel grid, put on the slice plane, and refused outside the image.
 */
export function pointOnSlice(g: SeriesGeometry, worldMm: readonly number[], k: number): Vec3 | null {
  const [i, j] = patientToVoxel(g, worldMm);
  if (i < -0.5 || j < -0.5 || i > g.dims[0] - 0.5 || j > g.dims[1] - 0.5) return null;
  return voxelToPatient(g, [i, j, k]);
}

/** Whether a patient point lies on slice k (within half a slice spacing). */
export const onSlice = (g: SeriesGeometry, p: readonly number[], k: number): boolean => Math.abs(patientToVoxel(g, p)[2] - k) <= 0.5;

/**
 * Synchronised scrolling by patient position: the slice of `to` at the height (along `to`'s slice direction) of
 * slice k of `from`, shifted by offsetMm (the reader's re-link, when the two scans' tables differ).
 */
export function linkedSlice(from: SeriesGeometry, k: number, to: SeriesGeometry, offsetMm = 0): number {
  const p = sliceCentreMm(from, k);
  const height = dot(p, to.sliceDir) + offsetMm;
  const k0 = dot(to.originMm, to.sliceDir);
  return clampSlice(to, (height - k0) / to.spacingMm[2]);
}

/** The offset that makes slice kFrom of `from` show slice kTo of `to` (re-linking after moving one side alone). */
export function linkOffsetMm(from: SeriesGeometry, kFrom: number, to: SeriesGeometry, kTo: number): number {
  return dot(slicePositionMm(to, kTo), to.sliceDir) - dot(sliceCentreMm(from, kFrom), to.sliceDir);
}

/** The one-line description of a series the viewer lists (blinded: no description, date or UID). */
export function describeSeries(s: ImageSeries, index: number): string {
  const g = s.geometry;
  const parts = [`Series ${index + 1}`, s.modality ?? 'unknown modality', `${g?.slices ?? s.instanceCount ?? '?'} slices`];
  if (s.sliceThicknessMm) parts.push(`${Number(s.sliceThicknessMm.toFixed(2))} mm`);
  if (s.columns && s.rows) parts.push(`${s.columns}×${s.rows}`);
  return parts.join(' · ');
}
