// Reader-drawn measurements: a line between two points a reader placed on the image. Lengths are Euclidean in patient
// coordinates (LPS mm), which is exact for any in-plane direction and any pixel spacing because patient coordinates
// already carry the spacing. For a bidimensional measurement (RECIST 1.1 lymph nodes: long axis and the short axis
// "perpendicular to the long axis"), the pair is checked for perpendicularity within a tolerance, and reported so the
// viewer can ask the reader to redraw instead of the platform silently accepting a skewed short axis.
import { DomainError } from '../errors.js';
import { type Vec3, type VolumeGeometry, voxelToPatient } from '../volume.js';

export interface DrawnLine {
  /** patient coordinates (LPS, mm) */
  readonly fromPatientMm: Vec3;
  readonly toPatientMm: Vec3;
}

/** Default tolerance on the angle between a drawn long and short axis: 90° ± 5°. */
export const DEFAULT_PERPENDICULAR_TOLERANCE_DEG = 5;

function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
function norm(a: Vec3): number {
  return Math.hypot(a[0], a[1], a[2]);
}

function assertFinitePoint(p: Vec3, what: string): void {
  if (p.length !== 3 || !p.every(Number.isFinite)) {
    throw new DomainError('VALIDATION_FAILED', `${what} must be three finite coordinates`);
  }
}

export function drawnLineLengthMm(line: DrawnLine): number {
  assertFinitePoint(line.fromPatientMm, 'line start');
  assertFinitePoint(line.toPatientMm, 'line end');
  return norm(sub(line.toPatientMm, line.fromPatientMm));
}

/** A line given in continuous voxel index coordinates (i, j, k), converted through the volume geometry. */
export function drawnLineFromVoxels(geometry: VolumeGeometry, fromVoxel: Vec3, toVoxel: Vec3): DrawnLine {
  assertFinitePoint(fromVoxel, 'line start');
  assertFinitePoint(toVoxel, 'line end');
  return { fromPatientMm: voxelToPatient(geometry, fromVoxel), toPatientMm: voxelToPatient(geometry, toVoxel) };
}

export interface BidimensionalCheck {
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  /** angle between the two lines, 0..90° (90 = perpendicular) */
  readonly angleDeg: number;
  /** |90° - angleDeg| <= tolerance */
  readonly perpendicular: boolean;
  /** the short axis is not longer than the long axis */
  readonly shortNotLonger: boolean;
  /** smallest distance between the two segments (0 when they cross), mm */
  readonly gapMm: number;
}

/** Closest distance between segments p0p1 and q0q1 (Ericson, Real-Time Collision Detection, 5.1.9). */
function segmentGapMm(p0: Vec3, p1: Vec3, q0: Vec3, q1: Vec3): number {
  const d1 = sub(p1, p0);
  const d2 = sub(q1, q0);
  const r = sub(p0, q0);
  const a = dot(d1, d1);
  const e = dot(d2, d2);
  const f = dot(d2, r);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  const c = dot(d1, r);
  const b = dot(d1, d2);
  const denom = a * e - b * b;
  let s = denom > 1e-12 * a * e ? clamp((b * f - c * e) / denom) : 0;
  let t = (b * s + f) / e;
  if (t < 0) {
    t = 0;
    s = clamp(-c / a);
  } else if (t > 1) {
    t = 1;
    s = clamp((b - c) / a);
  }
  const cp: Vec3 = [p0[0] + d1[0] * s, p0[1] + d1[1] * s, p0[2] + d1[2] * s];
  const cq: Vec3 = [q0[0] + d2[0] * t, q0[1] + d2[1] * t, q0[2] + d2[2] * t];
  return norm(sub(cp, cq));
}

export function checkBidimensional(
  longAxis: DrawnLine,
  shortAxis: DrawnLine,
  toleranceDeg: number = DEFAULT_PERPENDICULAR_TOLERANCE_DEG,
): BidimensionalCheck {
  if (!(toleranceDeg >= 0 && toleranceDeg <= 90)) {
    throw new DomainError('VALIDATION_FAILED', `perpendicularity tolerance must be 0..90 degrees, got ${toleranceDeg}`);
  }
  const longAxisMm = drawnLineLengthMm(longAxis);
  const shortAxisMm = drawnLineLengthMm(shortAxis);
  if (longAxisMm === 0 || shortAxisMm === 0) {
    throw new DomainError('VALIDATION_FAILED', 'a drawn axis has zero length: its two points coincide');
  }
  const u = sub(longAxis.toPatientMm, longAxis.fromPatientMm);
  const v = sub(shortAxis.toPatientMm, shortAxis.fromPatientMm);
  const cos = Math.min(1, Math.abs(dot(u, v)) / (longAxisMm * shortAxisMm));
  const angleDeg = (Math.acos(cos) * 180) / Math.PI;
  return {
    longAxisMm,
    shortAxisMm,
    angleDeg,
    perpendicular: 90 - angleDeg <= toleranceDeg,
    shortNotLonger: shortAxisMm <= longAxisMm,
    gapMm: segmentGapMm(longAxis.fromPatientMm, longAxis.toPatientMm, shortAxis.fromPatientMm, shortAxis.toPatientMm),
  };
}
