// Assembles one image series into the shared Volume: slices sorted along the normal of Image Orientation (Patient),
// slice spacing from the positions (never from Slice Thickness), and geometry problems reported as coded findings.
// Only impossible inputs throw: no slices, mixed studies or series, mismatched matrix sizes, colour, no geometry.
import { DomainError } from '../domain/errors.js';
import type { Vec3, Volume } from '../domain/volume.js';
import type { FrameGeometry, ParsedInstance } from './parse.js';
import type { DecodedImage, PixelFrame } from './pixels.js';

export const VOLUME_FINDINGS = [
  'DUPLICATE_SLICES', // two or more slices at the same position along the normal (one kept)
  'MISSING_SLICES', // a gap that is a whole multiple of the usual spacing
  'NON_UNIFORM_SPACING', // gaps differ beyond tolerance and are not whole multiples
  'MIXED_ORIENTATIONS', // slices whose orientation differs from the majority (left out)
  'GANTRY_TILT', // positions advance off the slice normal, or (0018,1120) is non-zero
  'MULTIPLE_ACQUISITIONS', // more than one Acquisition Number (0020,0012) in the series
  'SINGLE_SLICE', // one slice: slice spacing falls back to Slice Thickness (or 1 mm)
] as const;
export type VolumeFindingCode = (typeof VOLUME_FINDINGS)[number];

export interface VolumeFinding {
  readonly code: VolumeFindingCode;
  readonly detail: string;
}

export interface VolumeSlice {
  readonly sopInstanceUid: string;
  /** 0-based frame within its instance */
  readonly frameIndex: number;
  readonly studyInstanceUid: string | undefined;
  readonly seriesInstanceUid: string | undefined;
  readonly acquisitionNumber: number | undefined;
  readonly instanceNumber: number | undefined;
  readonly gantryTiltDeg: number | undefined;
  readonly rows: number;
  readonly columns: number;
  readonly geometry: FrameGeometry;
  /** modality values, one sample per pixel */
  readonly pixels: PixelFrame;
}

export interface AssembledVolume {
  readonly volume: Volume;
  readonly findings: readonly VolumeFinding[];
  /** the slices used, in volume order (k = index) */
  readonly order: readonly { readonly sopInstanceUid: string; readonly frameIndex: number; readonly positionMm: number }[];
}

export interface VolumeTolerances {
  /** positions closer than this along the normal are the same slice */
  readonly duplicateMm: number;
  /** relative spacing tolerance (fraction of the median gap) */
  readonly spacingFraction: number;
  /** absolute floor of the spacing tolerance */
  readonly spacingMm: number;
  /** cosine tolerance for equal orientations and for tilt */
  readonly orientationCos: number;
}

export const DEFAULT_VOLUME_TOLERANCES: VolumeTolerances = {
  duplicateMm: 0.01,
  spacingFraction: 0.01,
  spacingMm: 0.01,
  orientationCos: 0.9999,
};

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: Vec3): Vec3 => {
  const n = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / n, a[1] / n, a[2] / n];
};

function unprocessable(detail: string): never {
  throw new DomainError('UNPROCESSABLE', detail);
}

/** The grayscale frames of one decoded instance as volume slices. */
export function slicesFromInstance(parsed: ParsedInstance, image: DecodedImage): VolumeSlice[] {
  const s = parsed.summary;
  if (image.samplesPerPixel !== 1) unprocessable(`instance ${s.sopInstanceUid} is colour; volumes hold one sample per voxel`);
  return [...image.frames.entries()].map(([frameIndex, pixels]) => ({
    sopInstanceUid: s.sopInstanceUid,
    frameIndex,
    studyInstanceUid: s.studyInstanceUid,
    seriesInstanceUid: s.seriesInstanceUid,
    acquisitionNumber: s.acquisitionNumber,
    instanceNumber: s.instanceNumber,
    gantryTiltDeg: s.gantryDetectorTiltDeg,
    rows: s.rows,
    columns: s.columns,
    geometry: s.frames[frameIndex],
    pixels,
  }));
}

export function assembleVolume(input: readonly VolumeSlice[], tol: VolumeTolerances = DEFAULT_VOLUME_TOLERANCES): AssembledVolume {
  if (input.length === 0) unprocessable('a series needs at least one slice');
  const studies = new Set(input.map((s) => s.studyInstanceUid));
  if (studies.size > 1) unprocessable(`series mixes ${studies.size} studies (Study Instance UID (0020,000D) differs)`);
  const series = new Set(input.map((s) => s.seriesInstanceUid));
  if (series.size > 1) unprocessable(`slices come from ${series.size} series (Series Instance UID (0020,000E) differs)`);
  const { rows, columns } = input[0];
  if (input.some((s) => s.rows !== rows || s.columns !== columns)) unprocessable('slices differ in Rows/Columns');
  for (const s of input) {
    const g = s.geometry;
    if (!g?.imagePositionPatient || !g.imageOrientationPatient || !g.pixelSpacing) {
      unprocessable(`slice ${s.sopInstanceUid} frame ${s.frameIndex + 1} lacks Image Position/Orientation (Patient) or Pixel Spacing`);
    }
    if (s.pixels.length !== rows * columns) unprocessable(`slice ${s.sopInstanceUid} has ${s.pixels.length} pixels, ${rows * columns} expected`);
  }
  const findings: VolumeFinding[] = [];

  // Orientation: the majority orientation wins; the others are reported and left out.
  const dirs = (s: VolumeSlice) => {
    const o = s.geometry.imageOrientationPatient!;
    return { row: norm([o[0], o[1], o[2]]), col: norm([o[3], o[4], o[5]]) };
  };
  const groups: { row: Vec3; col: Vec3; members: VolumeSlice[] }[] = [];
  for (const s of input) {
    const d = dirs(s);
    const g = groups.find((x) => dot(x.row, d.row) > tol.orientationCos && dot(x.col, d.col) > tol.orientationCos);
    if (g) g.members.push(s);
    else groups.push({ ...d, members: [s] });
  }
  groups.sort((a, b) => b.members.length - a.members.length);
  const main = groups[0];
  if (groups.length > 1) {
    findings.push({ code: 'MIXED_ORIENTATIONS', detail: `${groups.length} orientations; ${input.length - main.members.length} slice(s) outside the main one were left out` });
  }
  const rowDir = main.row;
  const colDir = norm(cross(cross(main.row, main.col), main.row)); // re-orthogonalised
  const normal = norm(cross(rowDir, colDir));

  const acquisitions = new Set(main.members.map((s) => s.acquisitionNumber).filter((a) => a !== undefined));
  if (acquisitions.size > 1) findings.push({ code: 'MULTIPLE_ACQUISITIONS', detail: `${acquisitions.size} acquisition numbers in one series` });

  const placed = main.members
    .map((s) => ({ s, d: dot(s.geometry.imagePositionPatient!, normal) }))
    .sort((a, b) => a.d - b.d || (a.s.instanceNumber ?? 0) - (b.s.instanceNumber ?? 0));
  const kept: typeof placed = [];
  let duplicates = 0;
  for (const p of placed) {
    if (kept.length > 0 && Math.abs(p.d - kept[kept.length - 1].d) < tol.duplicateMm) duplicates++;
    else kept.push(p);
  }
  if (duplicates > 0) findings.push({ code: 'DUPLICATE_SLICES', detail: `${duplicates} slice(s) share a position with another; the first was kept` });

  let sliceSpacing: number;
  if (kept.length === 1) {
    sliceSpacing = kept[0].s.geometry.sliceThicknessMm && kept[0].s.geometry.sliceThicknessMm > 0 ? kept[0].s.geometry.sliceThicknessMm : 1;
    findings.push({ code: 'SINGLE_SLICE', detail: `one slice; slice spacing set to ${sliceSpacing} mm` });
  } else {
    const gaps = kept.slice(1).map((p, i) => p.d - kept[i].d);
    const sorted = [...gaps].sort((a, b) => a - b);
    sliceSpacing = sorted[Math.floor((sorted.length - 1) / 2)];
    const tolerance = Math.max(tol.spacingMm, tol.spacingFraction * sliceSpacing);
    let missing = 0;
    let irregular = 0;
    for (const g of gaps) {
      if (Math.abs(g - sliceSpacing) <= tolerance) continue;
      const k = Math.round(g / sliceSpacing);
      if (k >= 2 && Math.abs(g - k * sliceSpacing) <= tolerance * k) missing += k - 1;
      else irregular++;
    }
    if (missing > 0) findings.push({ code: 'MISSING_SLICES', detail: `${missing} slice(s) missing at ${sliceSpacing.toFixed(3)} mm spacing` });
    if (irregular > 0) findings.push({ code: 'NON_UNIFORM_SPACING', detail: `${irregular} gap(s) differ from the median spacing ${sliceSpacing.toFixed(3)} mm` });
    const first = kept[0].s.geometry.imagePositionPatient!;
    const last = kept[kept.length - 1].s.geometry.imagePositionPatient!;
    const along: Vec3 = [last[0] - first[0], last[1] - first[1], last[2] - first[2]];
    const cos = Math.abs(dot(norm(along), normal));
    if (cos < tol.orientationCos) {
      const deg = (Math.acos(Math.min(1, cos)) * 180) / Math.PI;
      findings.push({ code: 'GANTRY_TILT', detail: `slice positions advance ${deg.toFixed(2)} degrees off the slice normal` });
    }
  }
  const tilt = kept.find((p) => (p.s.gantryTiltDeg ?? 0) !== 0)?.s.gantryTiltDeg;
  if (tilt !== undefined && !findings.some((f) => f.code === 'GANTRY_TILT')) {
    findings.push({ code: 'GANTRY_TILT', detail: `Gantry/Detector Tilt (0018,1120) is ${tilt} degrees` });
  }

  const nx = columns;
  const ny = rows;
  const allInt16 = kept.every((p) => p.s.pixels instanceof Int16Array);
  const voxels = allInt16 ? new Int16Array(nx * ny * kept.length) : new Float32Array(nx * ny * kept.length);
  kept.forEach((p, k) => voxels.set(p.s.pixels, k * nx * ny));
  const spacing = kept[0].s.geometry.pixelSpacing!;
  const volume: Volume = {
    dims: [nx, ny, kept.length],
    // PS3.3 C.7.6.2.1.1: Pixel Spacing is (row spacing, column spacing); i runs along rowDir, so it takes [1]
    spacingMm: [spacing[1], spacing[0], sliceSpacing],
    originMm: kept[0].s.geometry.imagePositionPatient!,
    rowDir,
    colDir,
    sliceDir: normal,
    voxels,
  };
  return {
    volume,
    findings,
    order: kept.map((p) => ({ sopInstanceUid: p.s.sopInstanceUid, frameIndex: p.s.frameIndex, positionMm: p.d })),
  };
}
