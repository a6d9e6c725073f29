// A lesion mask as the platform stores it: the run-length encoding (mask-rle.ts), the grid it lies on and where it
// came from. Provenance follows the rule that each AI result records the model's id, version and sha256
// (architecture.md, "Models are data") and, for 21 CFR 11.10(e), who created it and when; a reader's edit points at the
// mask it was derived from. Serialised as canonical JSON (fixed key order, no optional keys left undefined), so the same
// mask, grid and provenance always give the same bytes and the same content hash.
import { DomainError } from '../errors.js';
import { type Vec3, type VolumeGeometry } from '../volume.js';
import { type MaskDims } from './binary-mask.js';
import { type RleMask, decodeMaskRle, decodeMaskRleSlab, encodeMaskRle } from './mask-rle.js';

export const MASK_ORIGINS = [
  'model', // produced by a segmentation model (after its post-processing steps)
  'reader', // drawn by a reader from scratch
  'model-edited-by-reader', // a model mask a reader corrected
] as const;
export type MaskOrigin = (typeof MASK_ORIGINS)[number];

export const STORED_MASK_FORMAT = 'corelab-stored-mask';
export const STORED_MASK_VERSIONS = [1] as const;

export interface ModelRef {
  readonly id: string;
  readonly version: string;
  /** sha256 of the ONNX file, lowercase hex */
  readonly sha256: string;
}

export interface MaskProvenance {
  readonly origin: MaskOrigin;
  /** the series whose grid the mask lies on (as stored, i.e. de-identified) */
  readonly seriesInstanceUid: string;
  /** required for 'model' and 'model-edited-by-reader', absent for 'reader' */
  readonly model?: ModelRef;
  /** the reader's prompt, voxel index coordinates (i, j, k) */
  readonly promptVoxel?: Vec3;
  /** steps applied to the raw model output, in order, e.g. ['threshold 0.5', 'largest-connected-component 6'] */
  readonly postprocessing: readonly string[];
  /** sha256 of the stored mask this one was edited from; required for 'model-edited-by-reader' */
  readonly parentMaskSha256?: string;
  /** user or job id */
  readonly createdBy: string;
  /** ISO 8601 instant, from the caller's clock (the domain reads none) */
  readonly createdAt: string;
}

export interface StoredMask {
  readonly format: typeof STORED_MASK_FORMAT;
  readonly version: (typeof STORED_MASK_VERSIONS)[number];
  readonly geometry: VolumeGeometry;
  readonly provenance: MaskProvenance;
  readonly mask: RleMask;
}

const SHA256 = /^[0-9a-f]{64}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function invalid(detail: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `stored mask: ${detail}`);
}

function vec3(v: unknown, what: string): Vec3 {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw invalid(`${what} must be three finite numbers`);
  }
  return [v[0], v[1], v[2]];
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) throw invalid(`${what} must be a non-empty string`);
  return v;
}

/** Validates provenance and returns it in canonical key order, without undefined keys. */
export function canonicalProvenance(p: MaskProvenance): MaskProvenance {
  if (p === null || typeof p !== 'object') throw invalid('provenance must be an object');
  if (!(MASK_ORIGINS as readonly unknown[]).includes(p.origin)) throw invalid(`unknown origin ${JSON.stringify(p.origin)}`);
  const needsModel = p.origin !== 'reader';
  if (needsModel !== (p.model !== undefined)) {
    throw invalid(needsModel ? `origin ${p.origin} needs the model's id, version and sha256` : 'a reader mask has no model');
  }
  if (p.origin === 'model-edited-by-reader' && p.parentMaskSha256 === undefined) {
    throw invalid('an edited mask must name the mask it was edited from (parentMaskSha256)');
  }
  if (p.parentMaskSha256 !== undefined && !SHA256.test(p.parentMaskSha256)) {
    throw invalid('parentMaskSha256 must be 64 lowercase hex digits');
  }
  if (!Array.isArray(p.postprocessing) || !p.postprocessing.every((s) => typeof s === 'string' && s.length > 0)) {
    throw invalid('postprocessing must be a list of non-empty strings');
  }
  if (typeof p.createdAt !== 'string' || !ISO_INSTANT.test(p.createdAt) || Number.isNaN(Date.parse(p.createdAt))) {
    throw invalid('createdAt must be an ISO 8601 instant with a time zone');
  }
  let model: ModelRef | undefined;
  if (p.model !== undefined) {
    if (p.model === null || typeof p.model !== 'object') throw invalid('model must be an object');
    if (!SHA256.test(String(p.model.sha256))) throw invalid('model sha256 must be 64 lowercase hex digits');
    model = { id: text(p.model.id, 'model id'), version: text(p.model.version, 'model version'), sha256: p.model.sha256 };
  }
  return {
    origin: p.origin,
    seriesInstanceUid: text(p.seriesInstanceUid, 'seriesInstanceUid'),
    ...(model ? { model } : {}),
    ...(p.promptVoxel !== undefined ? { promptVoxel: vec3(p.promptVoxel, 'promptVoxel') } : {}),
    postprocessing: [...p.postprocessing],
    ...(p.parentMaskSha256 !== undefined ? { parentMaskSha256: p.parentMaskSha256 } : {}),
    createdBy: text(p.createdBy, 'createdBy'),
    createdAt: p.createdAt,
  };
}

function canonicalGeometry(g: VolumeGeometry): VolumeGeometry {
  if (g === null || typeof g !== 'object') throw invalid('geometry must be an object');
  const dims = g.dims;
  if (!Array.isArray(dims) || dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw invalid('geometry dims must be three positive integers');
  }
  const spacingMm = vec3(g.spacingMm, 'spacingMm');
  if (!spacingMm.every((s) => s > 0)) throw invalid('spacingMm must be positive');
  const geometry: VolumeGeometry = {
    dims: [dims[0], dims[1], dims[2]] as MaskDims,
    spacingMm,
    originMm: vec3(g.originMm, 'originMm'),
    rowDir: vec3(g.rowDir, 'rowDir'),
    colDir: vec3(g.colDir, 'colDir'),
    sliceDir: vec3(g.sliceDir, 'sliceDir'),
  };
  for (const d of ['rowDir', 'colDir', 'sliceDir'] as const) {
    if (Math.abs(Math.hypot(...geometry[d]) - 1) > 1e-6) throw invalid(`${d} must be a unit vector`);
  }
  return geometry;
}

/**
 * Builds the stored form of a mask on `geometry`'s grid: given as voxels, or already encoded (encodeMaskBoxRle, for a
 * lesion on a large grid); an encoded mask is checked against the grid and must decode.
 */
export function toStoredMask(mask: Uint8Array | RleMask, geometry: VolumeGeometry, provenance: MaskProvenance): StoredMask {
  const g = canonicalGeometry(geometry);
  let rle: RleMask;
  if (mask instanceof Uint8Array) {
    rle = encodeMaskRle(mask, g.dims);
  } else {
    if (!Array.isArray(mask.dims) || !mask.dims.every((d, a) => d === g.dims[a])) throw invalid('mask dims differ from the geometry dims');
    decodeMaskRleSlab(mask);
    rle = mask;
  }
  return {
    format: STORED_MASK_FORMAT,
    version: 1,
    geometry: g,
    provenance: canonicalProvenance(provenance),
    mask: rle,
  };
}

/** Canonical JSON text of a stored mask: deterministic, so its sha256 identifies the mask and its provenance. */
export function storedMaskToJson(stored: StoredMask): string {
  const canonical: StoredMask = {
    format: stored.format,
    version: stored.version,
    geometry: canonicalGeometry(stored.geometry),
    provenance: canonicalProvenance(stored.provenance),
    mask: {
      format: stored.mask.format,
      version: stored.mask.version,
      dims: [stored.mask.dims[0], stored.mask.dims[1], stored.mask.dims[2]],
      firstSlice: stored.mask.firstSlice,
      slices: [...stored.mask.slices],
      voxelCount: stored.mask.voxelCount,
    },
  };
  return JSON.stringify(canonical);
}

/** Parses and validates stored-mask JSON; returns the decoded voxels with their grid and provenance. */
export function parseStoredMask(json: string): { stored: StoredMask; voxels: Uint8Array } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw invalid('not JSON');
  }
  if (raw === null || typeof raw !== 'object') throw invalid('not an object');
  const o = raw as Record<string, unknown>;
  if (o.format !== STORED_MASK_FORMAT) throw invalid(`unknown format ${JSON.stringify(o.format)}`);
  if (!(STORED_MASK_VERSIONS as readonly unknown[]).includes(o.version)) {
    throw invalid(`unsupported version ${JSON.stringify(o.version)}`);
  }
  const geometry = canonicalGeometry(o.geometry as VolumeGeometry);
  const provenance = canonicalProvenance(o.provenance as MaskProvenance);
  const rle = o.mask as RleMask;
  const voxels = decodeMaskRle(rle);
  if (!rle.dims.every((d, a) => d === geometry.dims[a])) throw invalid('mask dims differ from the geometry dims');
  // The decoder admits canonical runs only, so re-encoding must give back exactly what was stored.
  const mask = encodeMaskRle(voxels, geometry.dims);
  if (mask.firstSlice !== rle.firstSlice || mask.slices.some((t, s) => t !== rle.slices[s])) {
    throw invalid('mask runs are not in canonical form');
  }
  return { stored: { format: STORED_MASK_FORMAT, version: 1, geometry, provenance, mask }, voxels };
}

/** Convenience for callers holding only the JSON: the decoded voxels. */
export function decodeStoredMask(stored: StoredMask): Uint8Array {
  const voxels = decodeMaskRle(stored.mask);
  if (!stored.mask.dims.every((d, a) => d === stored.geometry.dims[a])) {
    throw invalid('mask dims differ from the geometry dims');
  }
  return voxels;
}
