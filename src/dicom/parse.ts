// Safe parse of one DICOM file. Our own pre-scan (prescan.ts) checks the structure first (SEC-05); the file is then
// rebuilt as canonical Part 10 bytes (preamble, DICM, a fresh file meta group, the data set inflated when it was
// deflated) and handed to dicom-parser, which gives the summary and the pixel data offsets without copying them.
// dcmjs reads the same canonical bytes later, in deidentify.ts, for the dataset it rewrites.
import { createHash } from 'node:crypto';
import { inflateRawSync, inflateSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { DomainError } from '../domain/errors.js';
import type { Vec3 } from '../domain/volume.js';
import {
  DEFAULT_SCAN_LIMITS,
  VALID_VRS,
  scanDataSet,
  tagString,
  type EncapsulatedPixelData,
  type ScanLimits,
  type ScanResult,
  type TopLevelElement,
} from './prescan.js';
import {
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  findTransferSyntax,
  type TransferSyntax,
} from './transfer-syntax.js';

export interface ParseLimits extends ScanLimits {
  /** cap on the inflated size of a deflated data set (zlib maxOutputLength) */
  readonly maxInflatedBytes: number;
  /** cap on rows x columns x frames x samples x bytes per sample, checked before any decoder allocates */
  readonly maxDecodedPixelBytes: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  ...DEFAULT_SCAN_LIMITS,
  maxInflatedBytes: 1024 * 1024 * 1024,
  maxDecodedPixelBytes: 2 * 1024 * 1024 * 1024 - 1,
};

export const CONTAINERS = ['part10', 'part10-no-preamble', 'no-file-meta'] as const;
export type Container = (typeof CONTAINERS)[number];

export interface FrameGeometry {
  readonly imagePositionPatient: Vec3 | undefined;
  readonly imageOrientationPatient: readonly number[] | undefined;
  readonly pixelSpacing: readonly [number, number] | undefined;
  readonly sliceThicknessMm: number | undefined;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  /** enhanced objects: (0020,9111) Frame Content / (0020,9157) Dimension Index Values, for ordering */
  readonly stackId: string | undefined;
  readonly inStackPosition: number | undefined;
  readonly temporalPositionIndex: number | undefined;
}

export interface ClinicalTrialAttributes {
  readonly sponsorName?: string;
  readonly protocolId?: string;
  readonly siteId?: string;
  readonly subjectId?: string;
  readonly timepointId?: string;
}

export interface InstanceSummary {
  readonly container: Container;
  readonly transferSyntaxUid: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string | undefined;
  readonly seriesInstanceUid: string | undefined;
  readonly frameOfReferenceUid: string | undefined;
  readonly modality: string | undefined;
  /** sha256 (hex) of Patient ID; the ID itself never leaves the parse */
  readonly patientIdDigest: string | undefined;
  readonly imageType: readonly string[];
  readonly burnedInAnnotation: string | undefined;
  readonly instanceNumber: number | undefined;
  readonly acquisitionNumber: number | undefined;
  readonly rows: number;
  readonly columns: number;
  readonly numberOfFrames: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  readonly pixelRepresentation: number;
  readonly photometricInterpretation: string | undefined;
  readonly planarConfiguration: number;
  readonly gantryDetectorTiltDeg: number | undefined;
  readonly windowCenter: number | undefined;
  readonly windowWidth: number | undefined;
  /** one entry per frame (top-level attributes repeated for single- and classic multi-frame objects) */
  readonly frames: readonly FrameGeometry[];
  readonly clinicalTrial: ClinicalTrialAttributes;
  readonly pixelData: PixelDataLocation | undefined;
}

export type PixelDataLocation =
  | { readonly kind: 'native'; readonly tag: number; readonly vr: string | undefined; readonly offset: number; readonly length: number }
  | { readonly kind: 'encapsulated'; readonly data: EncapsulatedPixelData };

export interface ParsedInstance {
  readonly summary: InstanceSummary;
  readonly transferSyntax: TransferSyntax;
  /** syntax of the data set inside `canonical` (deflated input is inflated, so Explicit VR Little Endian) */
  readonly bodySyntax: TransferSyntax;
  /** preamble + DICM + rebuilt file meta + data set; offsets in `scan` and `pixelData` are relative to bodyOffset */
  readonly canonical: Uint8Array;
  readonly bodyOffset: number;
  readonly scan: ScanResult;
  /** dicom-parser's view of `canonical` (lazy: pixel data is not copied) */
  readonly dataSet: DataSet;
}

// Implementation Class UID written into rebuilt file meta: a fixed UUID-derived UID (PS3.5 B.2).
export const IMPLEMENTATION_CLASS_UID = '2.25.177916346112446573404497196367786498719';
export const IMPLEMENTATION_VERSION_NAME = 'CORELAB_1';

const SOP_CLASS = 0x00080016;
const SOP_INSTANCE = 0x00080018;
const PIXEL_DATA_TAGS = [0x7fe00010, 0x7fe00008, 0x7fe00009]; // Pixel Data, Float Pixel Data, Double Float Pixel Data

function invalid(detail: string): never {
  throw new DomainError('INVALID_DICOM', detail);
}

/** Names a few common non-DICOM formats so the refusal says what the file is. */
function notDicomReason(bytes: Uint8Array): string {
  const b = bytes;
  const ascii = (start: number, n: number) => Buffer.from(b.subarray(start, start + n)).toString('latin1');
  if (b.length === 0) return 'not DICOM: empty file';
  if (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return 'not DICOM: a zip archive (upload it as an archive)';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'not DICOM: a gzip stream';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'not DICOM: a JPEG image';
  if (ascii(0, 4) === 'NRRD') return 'not DICOM: an NRRD volume';
  if (b.length >= 348 && (ascii(344, 4) === 'n+1\0' || ascii(344, 4) === 'ni1\0')) return 'not DICOM: a NIfTI-1 volume';
  if (b.length >= 4 && new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true) === 348) return 'not DICOM: a NIfTI-1 header';
  const head = b.subarray(0, Math.min(b.length, 512));
  if (head.every((c) => c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f) || c >= 0x80)) {
    return 'not DICOM: a text file';
  }
  return 'not DICOM: no DICM marker at offset 128 and no recognisable data set at offset 0';
}

interface MetaElement {
  readonly vr: string;
  readonly value: Uint8Array;
}

/** File meta group (PS3.10 7.1): always explicit VR little endian; read while the group is 0002. */
function readFileMeta(bytes: Uint8Array, start: number): { meta: Map<number, MetaElement>; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const meta = new Map<number, MetaElement>();
  let pos = start;
  while (pos + 8 <= bytes.length && view.getUint16(pos, true) === 0x0002) {
    const tag = ((0x0002 << 16) | view.getUint16(pos + 2, true)) >>> 0;
    const vr = String.fromCharCode(bytes[pos + 4], bytes[pos + 5]);
    if (!VALID_VRS.has(vr)) invalid(`file meta element ${tagString(tag)} at offset ${pos} has no valid VR`);
    let length: number;
    let header: number;
    if (['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR', 'OD', 'OF', 'OL', 'OV', 'SV', 'UV'].includes(vr)) {
      if (pos + 12 > bytes.length) invalid(`truncated file meta element header at offset ${pos}`);
      length = view.getUint32(pos + 8, true);
      header = 12;
    } else {
      length = view.getUint16(pos + 6, true);
      header = 8;
    }
    if (length > bytes.length - pos - header) {
      invalid(`file meta element ${tagString(tag)} declares ${length} bytes but ${bytes.length - pos - header} remain at offset ${pos + header}`);
    }
    meta.set(tag, { vr, value: bytes.subarray(pos + header, pos + header + length) });
    pos += header + length;
  }
  return { meta, end: pos };
}

function uiString(value: Uint8Array | undefined): string | undefined {
  if (!value) return undefined;
  const s = Buffer.from(value).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  return s.length > 0 ? s : undefined;
}

function isPlausibleGroup(g: number): boolean {
  return g >= 0x0002 && g <= 0x0010 && g % 2 === 0;
}

/** Guesses the syntax of a data set from its first element (for meta-less files and a missing (0002,0010)). */
function guessSyntax(bytes: Uint8Array, pos: number): string | undefined {
  if (bytes.length - pos < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vr = String.fromCharCode(bytes[pos + 4], bytes[pos + 5]);
  const explicit = VALID_VRS.has(vr);
  if (isPlausibleGroup(view.getUint16(pos, true))) return explicit ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
  if (isPlausibleGroup(view.getUint16(pos, false)) && explicit) return EXPLICIT_VR_BIG_ENDIAN;
  return undefined;
}

function writeMetaElement(out: number[], element: number, vr: string, value: Uint8Array): void {
  const padded = value.length % 2 === 1 ? Uint8Array.from([...value, 0]) : value;
  out.push(0x02, 0x00, element & 0xff, element >> 8, vr.charCodeAt(0), vr.charCodeAt(1));
  if (vr === 'OB') {
    const n = padded.length;
    out.push(0, 0, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
  } else {
    out.push(padded.length & 0xff, padded.length >> 8);
  }
  for (const c of padded) out.push(c);
}

/** Canonical file meta (PS3.10 7.1) for the given data set syntax; exported for the de-identified writer. */
export function buildFileMeta(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string): Uint8Array {
  const body: number[] = [];
  const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
  writeMetaElement(body, 0x0001, 'OB', Uint8Array.from([0, 1]));
  writeMetaElement(body, 0x0002, 'UI', ascii(sopClassUid));
  writeMetaElement(body, 0x0003, 'UI', ascii(sopInstanceUid));
  writeMetaElement(body, 0x0010, 'UI', ascii(transferSyntaxUid));
  writeMetaElement(body, 0x0012, 'UI', ascii(IMPLEMENTATION_CLASS_UID));
  writeMetaElement(body, 0x0013, 'SH', ascii(IMPLEMENTATION_VERSION_NAME));
  const groupLength: number[] = [0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 4, 0];
  const n = body.length;
  groupLength.push(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
  const out = new Uint8Array(132 + groupLength.length + n);
  out.set(Buffer.from('DICM', 'latin1'), 128);
  out.set(groupLength, 132);
  out.set(body, 132 + groupLength.length);
  return out;
}

function inflateDataSet(deflated: Uint8Array, limits: ParseLimits): Uint8Array {
  try {
    return inflateRawSync(deflated, { maxOutputLength: limits.maxInflatedBytes });
  } catch (raw) {
    if (raw instanceof RangeError) {
      invalid(`deflated data set inflates past ${limits.maxInflatedBytes} bytes: refused as a decompression bomb`);
    }
    // PS3.5 A.5 requires raw deflate (RFC 1951); a few writers add a zlib wrapper, which we also accept.
    try {
      return inflateSync(deflated, { maxOutputLength: limits.maxInflatedBytes });
    } catch (wrapped) {
      if (wrapped instanceof RangeError) {
        invalid(`deflated data set inflates past ${limits.maxInflatedBytes} bytes: refused as a decompression bomb`);
      }
      invalid(`deflated data set does not inflate: ${(raw as Error).message}`);
    }
  }
}

function describeLibraryError(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && 'exception' in e) return describeLibraryError((e as { exception: unknown }).exception);
  return String(e);
}

function strings(ds: DataSet, tag: string): string[] {
  const n = ds.numStringValues(tag) ?? 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(ds.string(tag, i) ?? '');
  return out;
}

function numbers(ds: DataSet | undefined, tag: string): number[] | undefined {
  if (!ds || !ds.elements[tag] || ds.elements[tag].length === 0) return undefined;
  const n = ds.numStringValues(tag) ?? 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = ds.floatString(tag, i);
    if (v === undefined || !Number.isFinite(v)) return undefined;
    out.push(v);
  }
  return out;
}

function firstNumber(ds: DataSet | undefined, tag: string): number | undefined {
  return numbers(ds, tag)?.[0];
}

function item(ds: DataSet | undefined, sequenceTag: string, index = 0): DataSet | undefined {
  return ds?.elements[sequenceTag]?.items?.[index]?.dataSet;
}

function text(ds: DataSet, tag: string): string | undefined {
  const v = ds.string(tag);
  return v === undefined || v.length === 0 ? undefined : v;
}

/** Functional group macros (PS3.3 C.7.6.16): per-frame values override shared ones; top level is the fallback. */
function frameGeometries(ds: DataSet, frameCount: number): FrameGeometry[] {
  const shared = item(ds, 'x52009229');
  const perFrame = ds.elements['x52009230']?.items ?? [];
  const out: FrameGeometry[] = [];
  for (let f = 0; f < frameCount; f++) {
    const pf = perFrame[f]?.dataSet;
    const pick = (seq: string) => item(pf, seq) ?? item(shared, seq);
    const position = numbers(pick('x00209113'), 'x00200032') ?? numbers(ds, 'x00200032');
    const orientation = numbers(pick('x00209116'), 'x00200037') ?? numbers(ds, 'x00200037');
    const measures = pick('x00289110');
    const spacing = numbers(measures, 'x00280030') ?? numbers(ds, 'x00280030') ?? numbers(ds, 'x00181164');
    const transform = pick('x00289145');
    const content = item(pf, 'x00209111');
    const dimension = content ? (content.elements['x00209157'] ? content.uint32('x00209157', 0) : undefined) : undefined;
    out.push({
      imagePositionPatient: position?.length === 3 ? (position as unknown as Vec3) : undefined,
      imageOrientationPatient: orientation?.length === 6 ? orientation : undefined,
      pixelSpacing: spacing && spacing.length >= 2 ? [spacing[0], spacing[1]] : undefined,
      sliceThicknessMm: firstNumber(measures, 'x00180050') ?? firstNumber(ds, 'x00180050'),
      rescaleSlope: firstNumber(transform, 'x00281053') ?? firstNumber(ds, 'x00281053') ?? 1,
      rescaleIntercept: firstNumber(transform, 'x00281052') ?? firstNumber(ds, 'x00281052') ?? 0,
      stackId: content ? text(content, 'x00209056') : undefined,
      inStackPosition: content?.elements['x00209057'] ? content.uint32('x00209057') : dimension,
      temporalPositionIndex: content?.elements['x00209128'] ? content.uint32('x00209128') : undefined,
    });
  }
  return out;
}

function summarise(
  ds: DataSet,
  container: Container,
  ts: TransferSyntax,
  scan: ScanResult,
  bodyOffset: number,
): Omit<InstanceSummary, 'pixelData'> & { pixelTop: TopLevelElement | undefined } {
  const sopClassUid = text(ds, 'x00080016');
  const sopInstanceUid = text(ds, 'x00080018');
  if (!sopClassUid) invalid('SOP Class UID (0008,0016) is missing');
  if (!sopInstanceUid) invalid('SOP Instance UID (0008,0018) is missing');
  const patientId = ds.string('x00100020');
  const intOf = (tag: string) => (ds.elements[tag] && ds.elements[tag].length >= 2 ? ds.uint16(tag) : undefined);
  const rows = intOf('x00280010') ?? 0;
  const columns = intOf('x00280011') ?? 0;
  const numberOfFrames = Math.max(1, ds.intString('x00280008') ?? 1);
  const pixelTop = scan.topLevel.find((e) => PIXEL_DATA_TAGS.includes(e.tag));
  const frameCount = pixelTop ? numberOfFrames : 0;
  void bodyOffset;
  return {
    container,
    transferSyntaxUid: ts.uid,
    sopClassUid,
    sopInstanceUid,
    studyInstanceUid: text(ds, 'x0020000d'),
    seriesInstanceUid: text(ds, 'x0020000e'),
    frameOfReferenceUid: text(ds, 'x00200052'),
    modality: text(ds, 'x00080060'),
    patientIdDigest: patientId ? createHash('sha256').update(patientId, 'utf8').digest('hex') : undefined,
    imageType: strings(ds, 'x00080008'),
    burnedInAnnotation: text(ds, 'x00280301'),
    instanceNumber: ds.intString('x00200013'),
    acquisitionNumber: ds.intString('x00200012'),
    rows,
    columns,
    numberOfFrames,
    samplesPerPixel: intOf('x00280002') ?? 1,
    bitsAllocated: intOf('x00280100') ?? (pixelTop?.tag === 0x7fe00009 ? 64 : pixelTop?.tag === 0x7fe00008 ? 32 : 0),
    bitsStored: intOf('x00280101') ?? 0,
    highBit: intOf('x00280102') ?? 0,
    pixelRepresentation: intOf('x00280103') ?? 0,
    photometricInterpretation: text(ds, 'x00280004'),
    planarConfiguration: intOf('x00280006') ?? 0,
    gantryDetectorTiltDeg: firstNumber(ds, 'x00181120'),
    windowCenter: firstNumber(ds, 'x00281050') ?? firstNumber(item(item(ds, 'x52009229'), 'x00289132'), 'x00281050'),
    windowWidth: firstNumber(ds, 'x00281051') ?? firstNumber(item(item(ds, 'x52009229'), 'x00289132'), 'x00281051'),
    frames: frameGeometries(ds, frameCount),
    clinicalTrial: {
      sponsorName: text(ds, 'x00120010'),
      protocolId: text(ds, 'x00120020'),
      siteId: text(ds, 'x00120030'),
      subjectId: text(ds, 'x00120040'),
      timepointId: text(ds, 'x00120050'),
    },
    pixelTop,
  };
}

/** SEC-05: the declared image must fit in the pixel data (native) and under the decode cap (any syntax). */
function checkPixelGeometry(
  s: Omit<InstanceSummary, 'pixelData'>,
  pixelTop: TopLevelElement,
  encapsulated: EncapsulatedPixelData | undefined,
  ts: TransferSyntax,
  limits: ParseLimits,
): PixelDataLocation {
  if (s.rows === 0 || s.columns === 0) invalid('pixel data present but Rows (0028,0010) or Columns (0028,0011) is missing or zero');
  if (![1, 8, 16, 32, 64].includes(s.bitsAllocated)) invalid(`Bits Allocated (0028,0100) is ${s.bitsAllocated}; 1, 8, 16, 32 or 64 expected`);
  if (s.samplesPerPixel < 1 || s.samplesPerPixel > 4) invalid(`Samples per Pixel (0028,0002) is ${s.samplesPerPixel}`);
  const pixels = s.rows * s.columns * s.numberOfFrames * s.samplesPerPixel;
  // YBR_FULL_422 stores two luminance samples per chroma pair: 2 samples per pixel on the wire (PS3.3 C.7.6.3.1.2)
  const wirePixels = s.photometricInterpretation === 'YBR_FULL_422' ? (pixels / s.samplesPerPixel) * 2 : pixels;
  const needed = s.bitsAllocated === 1 ? Math.ceil(wirePixels / 8) : (wirePixels * s.bitsAllocated) / 8;
  const decoded = pixels * Math.max(4, s.bitsAllocated / 8); // we decode to 32-bit (or 64-bit) samples at most
  if (decoded > limits.maxDecodedPixelBytes) {
    invalid(`rows x columns x frames x samples (${s.rows}x${s.columns}x${s.numberOfFrames}x${s.samplesPerPixel}) decodes to ${decoded} bytes, above the ${limits.maxDecodedPixelBytes}-byte limit`);
  }
  if (pixelTop.undefinedLength) {
    if (!ts.encapsulated || !encapsulated) invalid(`pixel data has undefined length in non-encapsulated syntax ${ts.uid}`);
    if (encapsulated.fragments.length === 0) invalid('encapsulated pixel data holds no fragments');
    if (encapsulated.fragments.length < s.numberOfFrames) {
      invalid(`encapsulated pixel data holds ${encapsulated.fragments.length} fragments for ${s.numberOfFrames} frames`);
    }
    const bot = encapsulated.basicOffsetTable;
    if (bot.length > 0 && bot.length !== s.numberOfFrames) {
      invalid(`basic offset table lists ${bot.length} frames but Number of Frames is ${s.numberOfFrames}`);
    }
    return { kind: 'encapsulated', data: encapsulated };
  }
  if (ts.encapsulated && pixelTop.tag === 0x7fe00010) invalid(`transfer syntax ${ts.uid} is encapsulated but pixel data has a defined length`);
  if (pixelTop.valueLength < needed) {
    invalid(`pixel data holds ${pixelTop.valueLength} bytes but rows x columns x frames x samples x bits needs ${needed}`);
  }
  return { kind: 'native', tag: pixelTop.tag, vr: pixelTop.vr, offset: pixelTop.valueOffset, length: pixelTop.valueLength };
}

/** Parses a whole DICOM file held in memory. Throws DomainError('INVALID_DICOM') with a precise reason. */
export function parseDicom(input: Uint8Array, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParsedInstance {
  const bytes = input;
  let container: Container;
  let metaStart: number;
  const magicAt = (p: number) => bytes.length >= p + 4 && bytes[p] === 0x44 && bytes[p + 1] === 0x49 && bytes[p + 2] === 0x43 && bytes[p + 3] === 0x4d;
  if (magicAt(128)) {
    container = 'part10';
    metaStart = 132;
  } else if (magicAt(0)) {
    container = 'part10-no-preamble';
    metaStart = 4;
  } else if (guessSyntax(bytes, 0) !== undefined) {
    container = 'no-file-meta';
    metaStart = 0;
  } else {
    invalid(notDicomReason(bytes));
  }
  const { meta, end: bodyStart } = container === 'no-file-meta' ? { meta: new Map<number, MetaElement>(), end: 0 } : readFileMeta(bytes, metaStart);
  if (bodyStart >= bytes.length) invalid('file meta information is not followed by a data set');
  if (uiString(meta.get(0x00020002)?.value) === '1.2.840.10008.1.3.10') {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'a DICOMDIR media directory, not an image instance: upload the files it indexes');
  }
  const declared = uiString(meta.get(0x00020010)?.value);
  const tsUid = declared ?? guessSyntax(bytes, bodyStart);
  if (!tsUid) invalid(`no Transfer Syntax UID (0002,0010) and the data set at offset ${bodyStart} has no recognisable start`);
  const ts = findTransferSyntax(tsUid);
  if (!ts) invalid(`unsupported transfer syntax ${tsUid}`);

  let body: Uint8Array = bytes.subarray(bodyStart);
  let bodySyntax = ts;
  let reportBase = bodyStart;
  let label = 'offset';
  if (ts.deflated) {
    body = inflateDataSet(body, limits);
    bodySyntax = findTransferSyntax(EXPLICIT_VR_LITTLE_ENDIAN)!;
    reportBase = 0;
    label = 'inflated offset';
  }
  if (bodySyntax.explicitVr && guessSyntax(body, 0) === IMPLICIT_VR_LITTLE_ENDIAN) {
    invalid(`transfer syntax ${ts.uid} declares explicit VR but the data set at offset ${bodyStart} is encoded in implicit VR`);
  }
  const scan = scanDataSet(body, bodySyntax, limits, reportBase, label);

  const topValue = (tag: number) => {
    const e = scan.topLevel.find((t) => t.tag === tag);
    return e ? uiString(body.subarray(e.valueOffset, e.valueOffset + e.valueLength)) : undefined;
  };
  const sopClass = topValue(SOP_CLASS) ?? uiString(meta.get(0x00020002)?.value) ?? '';
  const sopInstance = topValue(SOP_INSTANCE) ?? uiString(meta.get(0x00020003)?.value) ?? '';
  const head = buildFileMeta(sopClass, sopInstance, bodySyntax.uid);
  const canonical = new Uint8Array(head.length + body.length);
  canonical.set(head, 0);
  canonical.set(body, head.length);

  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(canonical);
  } catch (e) {
    invalid(`dicom-parser refused the data set: ${describeLibraryError(e)}`);
  }
  const { pixelTop, ...summary } = summarise(dataSet, container, ts, scan, head.length);
  const pixelData = pixelTop ? checkPixelGeometry(summary, pixelTop, scan.encapsulatedPixelData, ts, limits) : undefined;
  return {
    summary: { ...summary, pixelData },
    transferSyntax: ts,
    bodySyntax,
    canonical,
    bodyOffset: head.length,
    scan,
    dataSet,
  };
}
