import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readZipArchive } from '../src/dicom/archive.js';
import { type LedgerEntry, type TrialContext, deidentify } from '../src/dicom/deidentify.js';
import { type FrameGeometry, parseDicom } from '../src/dicom/parse.js';
import { decodePixelData } from '../src/dicom/pixels.js';
import type { DeidentificationOptions } from '../src/dicom/profile.js';
import { assembleVolumeFromFiles, readInstanceBytes } from '../src/dicom/series-files.js';
import { sliceRaw16, sliceWindowedPng } from '../src/dicom/slice-png.js';
import { type VolumeSlice, assembleVolume, slicesFromInstance } from '../src/dicom/volume.js';
import { DomainError, isDomainError } from '../src/domain/errors.js';
import type { CaliperLine } from '../src/domain/measurement/index.js';
import { writeChunks } from '../src/storage/blob-store.js';
import { isStorageFull } from '../src/storage/storage-full.js';
import type { Volume } from '../src/domain/volume.js';
import { type ThumbnailOptions, renderMeasuredSliceThumbnail } from '../src/segmentation/thumbnail.js';

// Piscina entry for ingest and image access: every DICOM byte is parsed, de-identified, decoded and assembled
// here, off the API's event loop. What leaves these functions holds de-identified UIDs, digests and technical
// parameters only; identifying values stay inside.

// ---- one file: parse, check, de-identify; decode frames where a codec could fail ------------------------------

export interface PrepareDicomTask {
  path: string;
  /** where the de-identified Part 10 bytes are written (fsynced), until the job moves them into the blob store */
  outPath: string;
  context: Omit<TrialContext, 'trialKey'> & { trialKeyHex: string };
  options: DeidentificationOptions;
  /** sha256 of the bytes in hand (`source`), when the upload already hashed them as they arrived: not hashed again */
  sourceSha256?: string;
  /**
   * sha256 the upload recorded for the file at `path`, read back long after it arrived (the ingest job): the bytes
   * read are hashed and must match, else the file is refused, so that the ledger's before-hash is always the hash of
   * the bytes that were de-identified
   */
  verifySha256?: string;
  /** the file's bytes, when the upload still holds them (transferred): `path` is then not read */
  source?: Uint8Array;
}

/** What volume assembly needs of one instance: de-identified UIDs and technical geometry only. */
export interface SliceHeader {
  sopInstanceUid: string;
  studyInstanceUid: string | null;
  seriesInstanceUid: string | null;
  acquisitionNumber: number | null;
  instanceNumber: number | null;
  gantryTiltDeg: number | null;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  hasPixels: boolean;
  frames: FrameGeometry[];
}

export interface PreparedInstance {
  ok: true;
  sopInstanceUid: string;
  sopClassUid: string;
  studyInstanceUid: string | null;
  seriesInstanceUid: string | null;
  frameOfReferenceUid: string | null;
  modality: string | null;
  /** de-identified (shifted) study date, YYYYMMDD */
  studyDate: string | null;
  instanceNumber: number | null;
  transferSyntaxUid: string;
  rows: number;
  columns: number;
  frames: number;
  geometry: unknown;
  header: SliceHeader;
  /** sha256 of the source Patient ID: compares patients across a batch without keeping the ID */
  patientIdDigest: string | null;
  /** technical acquisition parameters for image QC (not identifying) */
  acquisition: { kvp: number | null; kernel: string | null; contrast: boolean; sliceThicknessMm: number | null };
  ledger: LedgerEntry;
  actions: Array<{ path: string; tag: string; action: string; note: string }>;
  quarantine: string | null;
  /** sha256 of the de-identified Part 10 bytes written to outPath (the blob's address) */
  sha256: string;
  bytes: number;
}

/** A refusal is about the file; `storageFull` is about the server (no space for the de-identified copy): never a refusal. */
export type PrepareResult = PreparedInstance | { ok: false; reason: string; storageFull?: true };

const num = (v: string | undefined): number | null => {
  const n = v === undefined ? Number.NaN : Number.parseFloat(v);
  return Number.isFinite(n) ? n : null;
};

function firstValue(dataset: Record<string, { Value?: unknown[] }>, tag: string): string | null {
  const v = dataset[tag]?.Value?.[0];
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

async function writeDurably(file: string, chunks: readonly Uint8Array[]): Promise<void> {
  const h = await open(file, 'w');
  try {
    // the header and views of the source's pixel data: the pixels are never copied into a joined buffer
    await writeChunks(h, chunks);
    await h.sync();
  } catch (e) {
    // A partial copy (the disk filled up) would hold the space the retry needs.
    await h.close();
    await rm(file, { force: true });
    throw e;
  }
  await h.close();
}

/**
 * One file: safe parse, de-identification (which refuses a Clinical Trial Subject ID naming another subject),
 * and a decode of the first and last frame when the pixel data is compressed, so a file no codec can read is
 * refused now rather than at reading time. Native pixel data needs no decode: the parser has already checked
 * that rows x columns x frames x samples fit in it (SEC-05), and nothing else about native samples can fail.
 * The index is built from the de-identified output (its UIDs and shifted date); identifying values never leave.
 */
export async function prepareDicom(task: PrepareDicomTask): Promise<PrepareResult> {
  try {
    const source = task.source ?? (await readInstanceBytes(task.path));
    let sourceSha256 = task.sourceSha256;
    if (task.verifySha256 !== undefined) {
      sourceSha256 = createHash('sha256').update(source).digest('hex');
      if (sourceSha256 !== task.verifySha256) {
        throw new DomainError(
          'UNPROCESSABLE',
          `the staged file no longer matches what was uploaded (sha256 ${sourceSha256.slice(0, 12)}..., the upload recorded ${task.verifySha256.slice(0, 12)}...): upload it again`,
        );
      }
    }
    const { trialKeyHex, ...context } = task.context;
    const parsed = parseDicom(source);
    const deid = deidentify(parsed, source, { ...context, trialKey: Buffer.from(trialKeyHex, 'hex') }, task.options, sourceSha256);
    const s = parsed.summary;
    if (s.pixelData?.kind === 'encapsulated') await decodePixelData(parsed, [...new Set([0, s.numberOfFrames - 1])]);
    // The ledger's after-hash is the sha256 of exactly these bytes: the blob's address.
    const sha256 = deid.ledger.sha256After;
    await writeDurably(task.outPath, deid.chunks);
    const uids = deid.ledger.newUids;
    const src = parsed.dataSet;
    const header: SliceHeader = {
      sopInstanceUid: uids.sopInstanceUid,
      studyInstanceUid: uids.studyInstanceUid ?? null,
      seriesInstanceUid: uids.seriesInstanceUid ?? null,
      acquisitionNumber: s.acquisitionNumber ?? null,
      instanceNumber: s.instanceNumber ?? null,
      gantryTiltDeg: s.gantryDetectorTiltDeg ?? null,
      rows: s.rows,
      columns: s.columns,
      samplesPerPixel: s.samplesPerPixel,
      hasPixels: Boolean(s.pixelData),
      frames: [...s.frames],
    };
    return {
      ok: true,
      sopInstanceUid: uids.sopInstanceUid,
      sopClassUid: s.sopClassUid,
      studyInstanceUid: uids.studyInstanceUid ?? null,
      seriesInstanceUid: uids.seriesInstanceUid ?? null,
      frameOfReferenceUid: uids.frameOfReferenceUid ?? null,
      modality: s.modality ?? null,
      studyDate: firstValue(deid.dataset, '00080020'),
      instanceNumber: s.instanceNumber ?? null,
      transferSyntaxUid: deid.transferSyntaxUid,
      rows: s.rows,
      columns: s.columns,
      frames: s.numberOfFrames,
      geometry: s.frames,
      header,
      patientIdDigest: s.patientIdDigest ?? null,
      acquisition: {
        kvp: num(src.string('x00180060')),
        kernel: src.string('x00181210')?.trim() || null,
        contrast: Boolean(src.string('x00180010')?.trim()),
        sliceThicknessMm: num(src.string('x00180050')),
      },
      ledger: deid.ledger,
      actions: deid.actions.map((a) => ({ path: a.path, tag: a.tag, action: a.action, note: a.note })),
      quarantine: deid.quarantine?.reason ?? null,
      sha256,
      bytes: deid.bytes,
    };
  } catch (e) {
    if (isDomainError(e)) return { ok: false, reason: e.detail };
    if (isStorageFull(e)) return { ok: false, reason: 'no space left for the de-identified copy', storageFull: true };
    return { ok: false, reason: `the file could not be processed: ${(e as Error).message}` };
  }
}

// ---- STOW-RS: which subject and visit a file is for -----------------------------------------------------------

export type PeekResult =
  | { ok: true; sopClassUid: string; sopInstanceUid: string; subjectId: string | null; timepointId: string | null }
  | { ok: false; reason: string };

/**
 * Reads the clinical trial attributes (0012,0040)/(0012,0050) of a STOW-RS part, and its SOP UIDs for the Store
 * Instances Response. Only the trial's own codes leave the worker (and the source UIDs, which go back to the
 * sender in the response and are stored nowhere).
 */
export async function peekDicom(task: { path: string }): Promise<PeekResult> {
  try {
    const parsed = parseDicom(await readInstanceBytes(task.path));
    const s = parsed.summary;
    return { ok: true, sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid, subjectId: s.clinicalTrial.subjectId?.trim() || null, timepointId: s.clinicalTrial.timepointId?.trim() || null };
  } catch (e) {
    if (isDomainError(e)) return { ok: false, reason: e.detail };
    return { ok: false, reason: `the file could not be read: ${(e as Error).message}` };
  }
}

// ---- zip uploads ---------------------------------------------------------------------------------------------

export interface ExtractZipTask {
  zipPath: string;
  outDir: string;
  limits: { maxUnzippedBytes: number; maxZipRatio: number; maxFiles: number };
}

/** Extracts a zip's files under server-chosen names; on refusal nothing extracted remains (SEC-04, SEC-06). */
export async function extractZip(task: ExtractZipTask): Promise<Array<{ path: string; entry: string }> | { error: string; storageFull?: true }> {
  const written: Array<{ path: string; entry: string }> = [];
  try {
    await readZipArchive(
      task.zipPath,
      async (_entry, content) => {
        // Entries are named by position: file names in uploads are often patient names (never stored, DEID).
        const p = path.join(task.outDir, randomUUID());
        written.push({ path: p, entry: `entry ${written.length + 1}` });
        await pipeline(content, createWriteStream(p, { flags: 'wx' }));
      },
      {
        maxEntries: task.limits.maxFiles,
        maxTotalUncompressedBytes: task.limits.maxUnzippedBytes,
        maxEntryUncompressedBytes: task.limits.maxUnzippedBytes,
        maxCompressionRatio: task.limits.maxZipRatio,
      },
    );
    return written;
  } catch (e) {
    await Promise.all(written.map((w) => rm(w.path, { force: true })));
    if (isDomainError(e)) return { error: e.detail };
    if (isStorageFull(e)) return { error: 'no space left to extract the archive', storageFull: true };
    return { error: `the archive could not be read: ${(e as Error).message}` };
  }
}

/**
 * The archive's central directory against the limits (entry count, declared sizes and ratios, names, symlinks,
 * nested archives by name), without inflating anything: the upload answers 422 at once for an archive that
 * extraction would refuse. Extraction still enforces every limit on the actual bytes (declared sizes can lie).
 */
export async function checkZip(task: { zipPath: string; limits: ExtractZipTask['limits'] }): Promise<{ ok: true } | { error: string }> {
  const stop = new DomainError('UNSAFE_ARCHIVE', 'central directory checked');
  try {
    await readZipArchive(
      task.zipPath,
      async (_entry, content) => {
        content.destroy();
        throw stop;
      },
      { maxEntries: task.limits.maxFiles, maxTotalUncompressedBytes: task.limits.maxUnzippedBytes, maxEntryUncompressedBytes: task.limits.maxUnzippedBytes, maxCompressionRatio: task.limits.maxZipRatio },
    );
    return { ok: true };
  } catch (e) {
    if (e === stop) return { ok: true };
    if (isDomainError(e)) return { error: e.detail };
    return { error: `the archive could not be read: ${(e as Error).message}` };
  }
}

// ---- series volumes ------------------------------------------------------------------------------------------

export interface SeriesInstanceRef {
  instanceId: string;
  path: string;
}

export interface SeriesGeometry {
  geometry: Omit<Volume, 'voxels'>;
  /** slice k -> instance and frame */
  order: Array<{ instanceId: string; frameIndex: number; positionMm: number }>;
  coverageMm: number;
  findings: Array<{ code: string; detail: string; severity: 'error' | 'warning' }>;
}

const WARNING_FINDINGS = new Set(['NON_UNIFORM_SPACING', 'GANTRY_TILT', 'MULTIPLE_ACQUISITIONS']);

function headerOf(parsed: ReturnType<typeof parseDicom>): SliceHeader {
  const s = parsed.summary;
  return {
    sopInstanceUid: s.sopInstanceUid, studyInstanceUid: s.studyInstanceUid ?? null, seriesInstanceUid: s.seriesInstanceUid ?? null,
    acquisitionNumber: s.acquisitionNumber ?? null, instanceNumber: s.instanceNumber ?? null, gantryTiltDeg: s.gantryDetectorTiltDeg ?? null,
    rows: s.rows, columns: s.columns, samplesPerPixel: s.samplesPerPixel, hasPixels: Boolean(s.pixelData), frames: [...s.frames],
  };
}

/** Where assembly takes an instance's header from: the prepare step (new instances) or its stored blob. */
export type AssemblyRef = { instanceId: string; header: SliceHeader } | SeriesInstanceRef;

// Placement needs geometry only; every slice shares this one-sample stand-in for its pixels (and the matrix size
// is checked here), so assembly costs no pixel decode and no volume-sized allocation. Pixels were decoded, where
// decoding can fail, when each instance was prepared.
const NO_PIXELS = new Int16Array(1);

/**
 * Assembles a series' geometry: slice order, spacing, coverage and problems (missing slices, tilt...). Headers
 * come from the prepare step or are parsed from stored blobs (headers only, no pixel decode).
 */
export async function assembleSeries(task: { instances: AssemblyRef[] }): Promise<SeriesGeometry | { error: string }> {
  try {
    const slices: VolumeSlice[] = [];
    const idOfSop = new Map<string, string>();
    let matrix: [number, number] | undefined;
    for (const ref of task.instances) {
      const h = 'header' in ref ? ref.header : headerOf(parseDicom(await readInstanceBytes(ref.path)));
      idOfSop.set(h.sopInstanceUid, ref.instanceId);
      if (!h.hasPixels) return { error: 'an instance of the series has no pixel data' };
      if (h.samplesPerPixel !== 1) return { error: `instance ${h.sopInstanceUid} is colour; volumes hold one sample per voxel` };
      matrix ??= [h.columns, h.rows];
      if (h.columns !== matrix[0] || h.rows !== matrix[1]) return { error: 'slices differ in Rows/Columns' };
      h.frames.forEach((geometry, frameIndex) =>
        slices.push({
          sopInstanceUid: h.sopInstanceUid, frameIndex, studyInstanceUid: h.studyInstanceUid ?? undefined, seriesInstanceUid: h.seriesInstanceUid ?? undefined,
          acquisitionNumber: h.acquisitionNumber ?? undefined, instanceNumber: h.instanceNumber ?? undefined, gantryTiltDeg: h.gantryTiltDeg ?? undefined,
          rows: 1, columns: 1, geometry, pixels: NO_PIXELS,
        }),
      );
    }
    const assembled = assembleVolume(slices);
    const { voxels: _v, ...placed } = assembled.volume;
    const geometry = { ...placed, dims: [matrix![0], matrix![1], placed.dims[2]] as const };
    const order = assembled.order.map((o) => ({ instanceId: idOfSop.get(o.sopInstanceUid)!, frameIndex: o.frameIndex, positionMm: o.positionMm }));
    const coverageMm = order.length > 1 ? Math.abs(order[order.length - 1].positionMm - order[0].positionMm) + geometry.spacingMm[2] : geometry.spacingMm[2];
    return {
      geometry,
      order,
      coverageMm,
      findings: assembled.findings.map((f) => ({ code: f.code, detail: f.detail, severity: WARNING_FINDINGS.has(f.code) ? 'warning' : 'error' })),
    };
  } catch (e) {
    if (isDomainError(e)) return { error: e.detail };
    throw e;
  }
}

/** Loads a whole series as a volume (for segmentation and the raw volume download). */
export async function loadSeriesVolume(instances: readonly SeriesInstanceRef[]): Promise<Volume> {
  return (await assembleVolumeFromFiles(instances.map((i) => i.path))).volume;
}

export interface RenderSliceTask {
  /** the one instance holding slice k, and its frame */
  path: string;
  frameIndex: number;
  format: 'png' | 'raw';
  window?: { center: number; width: number };
}

/** One frame of one instance as a one-slice volume (decoding that frame only). */
async function frameVolume(file: string, frameIndex: number): Promise<Volume> {
  const parsed = parseDicom(await readInstanceBytes(file));
  const image = await decodePixelData(parsed, [frameIndex]);
  const slices = slicesFromInstance(parsed, image).filter((s) => s.frameIndex === frameIndex);
  return assembleVolume(slices).volume;
}

/** One slice, decoded from its own instance only: the first image shows before the series is loaded. */
export async function renderSlice(task: RenderSliceTask): Promise<Uint8Array> {
  const volume = await frameVolume(task.path, task.frameIndex);
  const out = task.format === 'raw' ? sliceRaw16(volume, 0) : sliceWindowedPng(volume, 0, task.window ?? { center: 40, width: 400 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export async function volumeRaw(task: { instances: SeriesInstanceRef[] }): Promise<Uint8Array> {
  const volume = await loadSeriesVolume(task.instances);
  const out = new Int16Array(volume.voxels.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(volume.voxels[i])));
  return new Uint8Array(out.buffer);
}

export interface MeasuredSliceThumbnailTask {
  /** the instance holding the measured slice, and its frame */
  path: string;
  frameIndex: number;
  /** the lesion mask on that slice (columns x rows, i fastest) */
  maskSlice: Uint8Array;
  /** the measured axes; only their in-plane voxel coordinates (i, j) are used */
  longAxis: CaliperLine;
  shortAxis?: CaliperLine;
  options: ThumbnailOptions;
}

/** A segmentation's thumbnail: the measured slice windowed, the mask outline and the axes (src/segmentation/thumbnail.ts). */
export async function measuredSliceThumbnail(task: MeasuredSliceThumbnailTask): Promise<Uint8Array> {
  const volume = await frameVolume(task.path, task.frameIndex);
  const png = renderMeasuredSliceThumbnail(volume, task.maskSlice, { k: 0, longAxis: task.longAxis, shortAxis: task.shortAxis }, task.options);
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
